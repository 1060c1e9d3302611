import { PromoterError } from '../../errors';
import type { ChangeSet, CommitResult, GitHost, RepoSnapshot } from '../../ports/git-host';
import type { ProvenanceVerdict } from '../../provenance/provenance-codes';
import { type CommitOptions, type CommitRounds, commitWithRetries } from '../commit-loop';
import { DEFAULT_LAYOUT, type RepositoryLayout } from '../layout';
import { chartPermission, firstEnvironment, POLICY_PATH, type PromotionPolicy } from '../policy/policy';
import { type RequestFor, readWithPolicy } from '../policy/read-with-policy';
import type { PlanOptions, PromotionOutcome, PromotionRequest } from '../promotion';
import { planRetention, retentionNote } from '../retention/retention';
import { retentionEnvironments, retentionRequest } from '../retention/retention-request';
import { commitMessage } from './commit-message';
import { planPromotions } from './plan-promotions';
import { snapshotRequestFor } from './snapshot-request';

/** A validated upload, before the policy says where it goes. */
export type UploadRequest = Omit<PromotionRequest, 'environment'>;

export interface UploadPlanOptions extends PlanOptions {
  /** The environment of the default policy (a repository without .chart-promoter.yaml). */
  readonly fallbackEnvironment: string;
  /**
   * Verifies the provenance of upload `index` (functions/provenance); called only when the policy
   * requires provenance for the first environment, at most once per upload. Absent while the policy
   * requires provenance: a retryable `PROVENANCE_UNCONFIGURED` (the deployment lacks a keyring).
   */
  readonly verifyProvenance?: (upload: UploadRequest, index: number) => Promise<ProvenanceVerdict>;
}

export interface UploadCommitOptions extends UploadPlanOptions, CommitOptions {}

/** The uploads planned on one snapshot: what commitUploads would commit there. */
export interface UploadPlan {
  readonly snapshot: RepoSnapshot;
  /** The policy the plan followed (read from the same commit as the files it changes). */
  readonly policy: PromotionPolicy;
  /** Where the uploads go: the policy's first environment. */
  readonly environment: string;
  /** `undefined` when nothing changes: no empty commit. */
  readonly changeSet: ChangeSet | undefined;
  /** One per upload, in order. */
  readonly outcomes: readonly PromotionOutcome[];
}

/** What commitUploads did: the plan's outcomes, policy and environment, and the commit it made. */
export interface UploadRun extends CommitRounds, Pick<UploadPlan, 'outcomes' | 'policy' | 'environment'> {
  /** Absent when nothing changed (no empty commit). */
  readonly commit?: CommitResult;
}

// The last policy seen per host: the first guess of the next read (one snapshot when it still holds).
const lastPolicy = new WeakMap<GitHost, PromotionPolicy>();

/** Allow-list, then provenance (when required): the refusal of each upload, `undefined` if it may go on. */
const gate = (
  policy: PromotionPolicy,
  request: PromotionRequest,
  verdict: ProvenanceVerdict | undefined,
): PromotionOutcome | undefined => {
  const permission = chartPermission(policy, firstEnvironment(policy), request.chart.name);
  if (!permission.allowed) {
    return { status: 'refused', request, code: 'CHART_NOT_ALLOWED', message: permission.reason };
  }
  if (verdict === undefined || verdict.ok) return undefined;
  return {
    status: 'refused',
    request,
    code: verdict.code,
    message: verdict.message,
    ...(verdict.path === undefined ? {} : { path: verdict.path }),
  };
};

/** Adds retention's deletions (and a note in the message) to a plan that promotes something. */
const withRetention = (
  policy: PromotionPolicy,
  snapshot: RepoSnapshot,
  changeSet: ChangeSet | undefined,
  outcomes: readonly PromotionOutcome[],
  layout: RepositoryLayout,
): ChangeSet | undefined => {
  if (!changeSet || policy.retain <= 0) return changeSet;
  const promoted = outcomes.flatMap((outcome) => (outcome.status === 'promoted' ? [outcome.request] : []));
  const retention = planRetention({
    snapshot,
    layout,
    retain: policy.retain,
    charts: promoted.map((request) => request.chart.name),
    environments: retentionEnvironments(
      policy.environments.map((environment) => environment.name),
      snapshot,
      layout,
    ),
    changes: changeSet.changes,
  });
  const note = retentionNote(retention, policy.retain);
  if (!note) return changeSet;
  return {
    message: commitMessage(promoted, { notes: [note] }),
    changes: [...changeSet.changes, ...retention.deletions],
  };
};

const planWithPolicy = (
  policy: PromotionPolicy,
  snapshot: Parameters<typeof planPromotions>[0],
  uploads: readonly UploadRequest[],
  verdicts: readonly (ProvenanceVerdict | undefined)[],
  options: UploadPlanOptions,
) => {
  const environment = firstEnvironment(policy);
  const requests = uploads.map((upload) => ({ ...upload, environment: environment.name }));
  const outcomes = requests.map((request, i) => gate(policy, request, verdicts[i]));
  const allowed = requests.filter((_, i) => outcomes[i] === undefined);
  const plan = planPromotions(snapshot, allowed, options);
  let next = 0;
  const merged = outcomes.map((outcome) => outcome ?? plan.outcomes[next++]!);
  const layout = options.layout ?? DEFAULT_LAYOUT;
  return {
    changeSet: withRetention(policy, snapshot, plan.changeSet, plan.outcomes, layout),
    outcomes: merged,
    environment: environment.name,
  };
};

const provenanceUnconfigured = (): PromoterError =>
  new PromoterError(
    'PROVENANCE_UNCONFIGURED',
    'retryable',
    `${POLICY_PATH} requires provenance and this deployment has no keyring configured`,
    { path: POLICY_PATH },
  );

/** Verdicts for the uploads the policy's allow-lists admit, when it requires provenance (memoised). */
const provenanceVerdicts = async (
  policy: PromotionPolicy,
  uploads: readonly UploadRequest[],
  memo: Map<number, Promise<ProvenanceVerdict>>,
  options: UploadPlanOptions,
): Promise<(ProvenanceVerdict | undefined)[]> => {
  const environment = firstEnvironment(policy);
  if (!environment.requireProvenance) return uploads.map(() => undefined);
  const verify = options.verifyProvenance;
  if (!verify) throw provenanceUnconfigured();
  return Promise.all(
    uploads.map((upload, i) => {
      if (!chartPermission(policy, environment, upload.chart.name).allowed) return undefined;
      let verdict = memo.get(i);
      if (!verdict) {
        verdict = verify(upload, i);
        memo.set(i, verdict);
      }
      return verdict;
    }),
  );
};

/** What planning the uploads reads: the plan's files, plus retention's when the policy keeps n versions. */
const snapshotRequestWith =
  (uploads: readonly UploadRequest[], layout: RepositoryLayout): RequestFor =>
  (guess, previous) => {
    const planning = snapshotRequestFor(
      uploads.map((upload) => ({ ...upload, environment: firstEnvironment(guess).name })),
      layout,
    );
    if (guess.retain <= 0) return planning;
    const retention = retentionRequest(
      uploads.map((upload) => upload.chart.name),
      guess.environments.map((environment) => environment.name),
      previous,
      layout,
    );
    return {
      files: [...planning.files, ...retention.files],
      trees: planning.trees,
      directories: retention.directories,
    };
  };

const readAndPlan = async (
  host: GitHost,
  branch: string,
  uploads: readonly UploadRequest[],
  options: UploadPlanOptions,
  provenance: Map<number, Promise<ProvenanceVerdict>>,
): Promise<UploadPlan> => {
  const { snapshot, policy } = await readWithPolicy(
    host,
    branch,
    options.fallbackEnvironment,
    snapshotRequestWith(uploads, options.layout ?? DEFAULT_LAYOUT),
    lastPolicy.get(host),
  );
  lastPolicy.set(host, policy);
  const verdicts = await provenanceVerdicts(policy, uploads, provenance, options);
  return { snapshot, policy, ...planWithPolicy(policy, snapshot, uploads, verdicts, options) };
};

/**
 * Reads what new uploads need at the branch head (the policy from the same commit) and plans them into
 * the policy's first environment, committing nothing: the plan commitUploads commits, for dry runs and
 * programmatic checks (functions/index.ts).
 */
export const planUploads = (
  host: GitHost,
  branch: string,
  uploads: readonly UploadRequest[],
  options: UploadPlanOptions,
): Promise<UploadPlan> => readAndPlan(host, branch, uploads, options, new Map());

/**
 * New uploads into the policy's first environment, through the one commit loop (commitWithRetries:
 * read → plan (planUploads) → commit with compare-and-swap, re-planning on a moved branch), with the
 * policy read from the same snapshot, charts outside the environment's allow-list refused with
 * `CHART_NOT_ALLOWED`, charts without valid provenance refused (`PROVENANCE_MISSING` /
 * `PROVENANCE_INVALID`) where the environment requires it, and, with `retain: n`, unreferenced old
 * versions of the promoted charts removed in the same commit.
 */
export const commitUploads = async (
  host: GitHost,
  branch: string,
  uploads: readonly UploadRequest[],
  options: UploadCommitOptions,
): Promise<UploadRun> => {
  // Each upload's provenance is verified at most once, however many rounds the commit takes.
  const provenance = new Map<number, Promise<ProvenanceVerdict>>();
  return commitWithRetries(options, async (rounds) => {
    const { snapshot, policy, environment, changeSet, outcomes } = await readAndPlan(
      host,
      branch,
      uploads,
      options,
      provenance,
    );
    const base = { ...rounds, outcomes, policy, environment };
    if (!changeSet) return base;
    return { ...base, commit: await host.commit(branch, snapshot.head, changeSet) };
  });
};
