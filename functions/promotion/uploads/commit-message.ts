import { issueTrailers } from '../issues/issue-keys';
import type { PromotionRequest } from '../promotion';

/**
 * Commit messages say what moved where; the trailers (https://git-scm.com/docs/git-interpret-trailers:
 * `Key: value` lines in the last paragraph) name, per promoted chart, the run and the uploaded object,
 * so `git log --format='%(trailers:key=Chart-Promoter-Run)'` leads from a commit back to the run.
 */
const SUBJECT_MAX = 72;

const move = (request: PromotionRequest): string => `${request.chart.name} ${request.chart.version}`;

const oneLine = (value: string): string => value.replace(/[\r\n]+/g, ' ').trim();

/** `s3://bucket/key?versionId=…`, the key's segments percent-encoded so the trailer stays one line. */
export const sourceUri = ({ source }: PromotionRequest): string => {
  const key = source.key.split('/').map(encodeURIComponent).join('/');
  const version = source.versionId === undefined ? '' : `?versionId=${encodeURIComponent(source.versionId)}`;
  return `s3://${source.bucket}/${key}${version}`;
};

const subjectOf = (promoted: readonly PromotionRequest[]): string => {
  const [first] = promoted;
  if (promoted.length === 1 && first) return `promote ${move(first)} to ${first.environment}`;
  const environments = [...new Set(promoted.map((request) => request.environment))];
  const detailed =
    environments.length === 1
      ? `promote ${promoted.map(move).join(', ')} to ${environments[0]}`
      : `promote ${promoted.map((request) => `${move(request)} to ${request.environment}`).join(', ')}`;
  if (detailed.length <= SUBJECT_MAX) return detailed;
  const distinctCharts = new Set(promoted.map((request) => request.chart.name)).size === promoted.length;
  const counted = `promote ${promoted.length} ${distinctCharts ? 'charts' : 'releases'}`;
  return environments.length === 1 ? `${counted} to ${environments[0]}` : counted;
};

const trailersOf = (request: PromotionRequest): string[] => [
  `Chart-Promoter-Run: ${oneLine(request.runId)}`,
  `Chart-Promoter-Source: ${sourceUri(request)}`,
  `Chart-Promoter-Digest: ${oneLine(request.chart.digest)}`,
  ...issueTrailers(request.issues),
];

/** Extra paragraphs of the body (e.g. retention's pruned versions), placed before the trailers. */
export interface CommitMessageExtras {
  readonly notes?: readonly string[];
}

/** Subject, a body listing each move when there are several, and one group of trailers per chart. */
export const commitMessage = (
  promoted: readonly PromotionRequest[],
  extras: CommitMessageExtras = {},
): string => {
  if (promoted.length === 0) throw new Error('commitMessage needs at least one promoted request');
  const paragraphs = [subjectOf(promoted)];
  if (promoted.length > 1) {
    paragraphs.push(promoted.map((request) => `- ${move(request)} → ${request.environment}`).join('\n'));
  }
  for (const note of extras.notes ?? []) paragraphs.push(note);
  paragraphs.push(promoted.flatMap(trailersOf).join('\n'));
  return `${paragraphs.join('\n\n')}\n`;
};
