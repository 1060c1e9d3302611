import type { FileChange, RepoSnapshot } from '../../ports/git-host';
import { treeId } from '../../ports/git-object-id';
import { issuesAnnotation } from '../issues/issue-keys-release';
import {
  chartDir,
  chartSourcePath,
  DEFAULT_LAYOUT,
  isValidEnvironmentName,
  kustomizationPath,
  type RepositoryLayout,
  releaseFileName,
  releasePath,
} from '../layout';
import { addKustomizationResources, newKustomizationText } from '../manifests/kustomization-manifest';
import { planRelease } from '../manifests/plan-release';
import { UPLOADED_AT_ANNOTATION } from '../manifests/release-annotations';
import type {
  Plan,
  PlanOptions,
  PromotionChanges,
  PromotionOutcome,
  PromotionRefusalCode,
  PromotionRequest,
} from '../promotion';
import { type CandidateGroup, candidateGroups } from './batch-candidates';
import { commitMessage } from './commit-message';

const DEFAULT_SOURCE_REF = { name: 'flux-system', namespace: 'flux-system' } as const;
const DEFAULT_INTERVAL = '10m';
const encoder = new TextEncoder();

/** Planning state for one batch; outcomes are filled in as each request is decided. */
interface Batch {
  readonly snapshot: RepoSnapshot;
  readonly requests: readonly PromotionRequest[];
  readonly options: PlanOptions;
  readonly layout: RepositoryLayout;
  readonly outcomes: (PromotionOutcome | undefined)[];
  readonly writes: Map<string, Uint8Array>;
  /** Tree id of each chart version directory: from the snapshot, then as this plan writes them. */
  readonly chartTrees: Map<string, string | undefined>;
  /** Winners of their group, waiting for the kustomization step. */
  readonly winners: Map<number, Omit<PromotionChanges, 'kustomizationUpdated'>>;
  readonly treeIds: Map<number, string>;
}

const refuse = (
  batch: Batch,
  index: number,
  code: PromotionRefusalCode,
  message: string,
  path?: string,
): void => {
  const request = batch.requests[index]!;
  batch.outcomes[index] = {
    status: 'refused',
    request,
    code,
    message,
    ...(path === undefined ? {} : { path }),
  };
};

const treeIdOf = (batch: Batch, index: number): string => {
  let id = batch.treeIds.get(index);
  if (id === undefined) {
    id = treeId(batch.requests[index]!.chart.files);
    batch.treeIds.set(index, id);
  }
  return id;
};

const pending = (batch: Batch, environment?: string): number[] =>
  batch.requests.flatMap((request, index) =>
    batch.outcomes[index] === undefined && (environment === undefined || request.environment === environment)
      ? [index]
      : [],
  );

/** An environment whose kustomization cannot be edited refuses all its requests up front. */
const refuseInvalidKustomizations = (batch: Batch): void => {
  for (const environment of new Set(pending(batch).map((i) => batch.requests[i]!.environment))) {
    const path = kustomizationPath(batch.layout, environment);
    const existing = batch.snapshot.files.get(path);
    const indices = pending(batch, environment);
    if (existing === undefined) continue;
    const names = indices.map((i) => releaseFileName(batch.requests[i]!.chart.name));
    const edit = addKustomizationResources(existing, names);
    if (!edit.ok) for (const i of indices) refuse(batch, i, 'KUSTOMIZATION_INVALID', edit.message, path);
  }
};

/** The version directory holds (or this batch's winner will write) other content than the request's. */
const contentDiffers = (batch: Batch, index: number, winner: number | undefined): boolean => {
  const { chart } = batch.requests[index]!;
  const existing = batch.chartTrees.get(chartDir(batch.layout, chart.name, chart.version));
  const own = treeIdOf(batch, index);
  if (existing !== undefined && existing !== own) return true;
  const winning = winner === undefined ? undefined : batch.requests[winner]!.chart;
  return winning?.version === chart.version && treeIdOf(batch, winner!) !== own;
};

/** Picks the group's winner: the highest version whose chart directory is absent or identical. */
const rankGroup = (batch: Batch, group: CandidateGroup): { winner?: number; followers: number[] } => {
  let winner: number | undefined;
  const followers: number[] = [];
  for (const index of group.ranked) {
    const request = batch.requests[index]!;
    if (contentDiffers(batch, index, winner)) {
      const dir = chartDir(batch.layout, request.chart.name, request.chart.version);
      const message = `${dir}/ already holds different content: a chart version is written once, never rewritten; bump the version`;
      refuse(batch, index, 'VERSION_IMMUTABLE', message, dir);
    } else if (winner === undefined) {
      winner = index;
    } else {
      const by = batch.requests[winner]!.chart.version;
      batch.outcomes[index] =
        by === request.chart.version
          ? { status: 'unchanged', request, reason: 'duplicate of another request in the same batch' }
          : { status: 'superseded', request, by };
      followers.push(index);
    }
  }
  return winner === undefined ? { followers } : { winner, followers };
};

const planGroup = (batch: Batch, group: CandidateGroup): void => {
  const { winner, followers } = rankGroup(batch, group);
  if (winner === undefined) return;
  const request = batch.requests[winner]!;
  const { chart, environment } = request;
  const path = releasePath(batch.layout, environment, chart.name);
  const existing = batch.snapshot.files.get(path);
  const annotations = {
    ...(request.uploadedAt === undefined ? {} : { [UPLOADED_AT_ANNOTATION]: request.uploadedAt }),
    ...issuesAnnotation(request.issues, existing),
  };
  const release = planRelease(existing, {
    name: chart.name,
    namespace: batch.options.releaseNamespaces?.[environment] ?? environment,
    chartPath: chartSourcePath(batch.layout, chart.name, chart.version),
    version: chart.version,
    runId: request.runId,
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    sourceRef: batch.options.sourceRef ?? DEFAULT_SOURCE_REF,
    interval: batch.options.interval ?? DEFAULT_INTERVAL,
  });
  if (!release.ok) {
    for (const index of [winner, ...followers]) refuse(batch, index, release.code, release.message, path);
    return;
  }
  const dir = chartDir(batch.layout, chart.name, chart.version);
  const chartWritten = batch.chartTrees.get(dir) === undefined;
  if (chartWritten) {
    for (const file of chart.files) batch.writes.set(`${dir}/${file.path}`, file.data);
    batch.chartTrees.set(dir, treeIdOf(batch, winner));
  }
  if (release.text !== undefined) batch.writes.set(path, encoder.encode(release.text));
  const previous = release.previousVersion === undefined ? {} : { previousVersion: release.previousVersion };
  batch.winners.set(winner, { chartWritten, release: release.status, ...previous });
};

const planKustomization = (batch: Batch, environment: string, winners: readonly number[]): void => {
  const path = kustomizationPath(batch.layout, environment);
  const resources = winners.map((i) => releaseFileName(batch.requests[i]!.chart.name));
  const existing = batch.snapshot.files.get(path);
  const edit =
    existing === undefined
      ? { ok: true as const, text: newKustomizationText(resources), added: resources }
      : addKustomizationResources(existing, resources);
  // The same edit with at least these resources succeeded in refuseInvalidKustomizations.
  if (!edit.ok) throw new Error(`kustomization edit failed after its check: ${edit.message}`);
  if (edit.added.length > 0) batch.writes.set(path, encoder.encode(edit.text));
  for (const index of winners) {
    const request = batch.requests[index]!;
    const changes = {
      ...batch.winners.get(index)!,
      kustomizationUpdated: edit.added.includes(releaseFileName(request.chart.name)),
    };
    const changed = changes.chartWritten || changes.release !== 'unchanged' || changes.kustomizationUpdated;
    batch.outcomes[index] = changed
      ? { status: 'promoted', request, changes }
      : {
          status: 'unchanged',
          request,
          reason: `${environment} already runs ${request.chart.name} ${request.chart.version}`,
        };
  }
};

/**
 * Turns validated charts and the files they touch into one change set (contract: README "The cluster
 * repository"). Pure: the snapshot comes from `snapshotRequestFor(requests)`. Each request ends in an
 * explicit outcome; a refusal of one request never stops the others.
 */
export const planPromotions = (
  snapshot: RepoSnapshot,
  requests: readonly PromotionRequest[],
  options: PlanOptions = {},
): Plan => {
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const batch: Batch = {
    snapshot,
    requests,
    options,
    layout,
    outcomes: requests.map(() => undefined),
    writes: new Map(),
    chartTrees: new Map(snapshot.trees),
    winners: new Map(),
    treeIds: new Map(),
  };
  requests.forEach(({ environment }, index) => {
    if (!isValidEnvironmentName(environment)) {
      refuse(batch, index, 'ENVIRONMENT_INVALID', `environment "${environment}" is not a DNS-1123 label`);
    }
  });
  refuseInvalidKustomizations(batch);
  for (const group of candidateGroups(requests, (i) => batch.outcomes[i] === undefined))
    planGroup(batch, group);
  const environments = new Set([...batch.winners.keys()].map((i) => requests[i]!.environment));
  for (const environment of environments) {
    planKustomization(
      batch,
      environment,
      [...batch.winners.keys()].filter((i) => requests[i]!.environment === environment),
    );
  }
  const outcomes = batch.outcomes as PromotionOutcome[];
  const promoted = outcomes.flatMap((outcome) => (outcome.status === 'promoted' ? [outcome.request] : []));
  if (batch.writes.size === 0 || promoted.length === 0) return { changeSet: undefined, outcomes };
  const changes: FileChange[] = [...batch.writes.keys()]
    .sort()
    .map((path) => ({ path, content: batch.writes.get(path)! }));
  return { changeSet: { message: commitMessage(promoted), changes }, outcomes };
};
