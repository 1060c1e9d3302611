import semver from 'semver';
import type { PromotionRequest } from '../promotion';

/**
 * Requests of one batch for the same chart and environment compete for one HelmRelease. The highest
 * semver wins (SQS does not keep upload order, so "last in the batch" would be arbitrary); equal versions
 * keep batch order. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html
 */
export interface CandidateGroup {
  readonly environment: string;
  readonly name: string;
  /** Indices into the batch, best candidate first. */
  readonly ranked: readonly number[];
}

const compareVersions = (a: string, b: string): number => {
  const validA = semver.valid(a);
  const validB = semver.valid(b);
  if (validA && validB) return semver.rcompare(validA, validB);
  return validA ? -1 : validB ? 1 : 0;
};

/** Groups by (environment, chart name), in order of first appearance. */
export const candidateGroups = (
  requests: readonly PromotionRequest[],
  include: (index: number) => boolean,
): CandidateGroup[] => {
  const groups = new Map<string, { environment: string; name: string; indices: number[] }>();
  requests.forEach((request, index) => {
    if (!include(index)) return;
    const key = `${request.environment}\u0000${request.chart.name}`;
    const group = groups.get(key) ?? {
      environment: request.environment,
      name: request.chart.name,
      indices: [],
    };
    group.indices.push(index);
    groups.set(key, group);
  });
  return [...groups.values()].map(({ environment, name, indices }) => ({
    environment,
    name,
    // Array.prototype.sort is stable, so equal versions keep batch order.
    ranked: [...indices].sort((a, b) =>
      compareVersions(requests[a]!.chart.version, requests[b]!.chart.version),
    ),
  }));
};
