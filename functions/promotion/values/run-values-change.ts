import { isMap } from 'yaml';
import type { GitHost } from '../../ports/git-host';
import { GitHostError } from '../../ports/git-host-error';
import { type CommitOptions, commitWithRetries } from '../commit-loop';
import { DEFAULT_LAYOUT, releasePath } from '../layout';
import { readReleaseState } from '../manifests/release-annotations';
import { parseHelmDocument, readReleaseValues, valuesNodeOf } from '../manifests/release-values';
import { landChange } from '../moves/land-change';
import { readWithPolicy } from '../policy/read-with-policy';
import { planValuesChange, type ValuesPlan, type ValuesPlanOptions } from './plan-values-change';
import {
  VALUES_BASE_ANNOTATION,
  type ValuesChange,
  type ValuesChangeOutcome,
  type ValuesRefusal,
  valuesBaseBranch,
} from './values-change';
import { valuesPullRequestFor } from './values-pull-request';
import { valuesSnapshotRequest } from './values-snapshot';

export interface ValuesChangeOptions extends CommitOptions, ValuesPlanOptions {
  /** The environment of the default policy (a repository without .chart-promoter.yaml). */
  readonly fallbackEnvironment: string;
}

/** Reads what the change needs at the head of `branch` (policy from the same commit) and plans it. */
const readAndPlan = async (
  host: GitHost,
  branch: string,
  change: ValuesChange,
  options: ValuesChangeOptions,
) => {
  const { snapshot, policy } = await readWithPolicy(
    host,
    branch,
    options.fallbackEnvironment,
    valuesSnapshotRequest(change.environment, change.chart, options.layout ?? DEFAULT_LAYOUT),
  );
  const plan = await planValuesChange(snapshot, policy, change, {
    ...options,
    recordBase: options.recordBase ?? host.setBranch !== undefined,
  });
  return { snapshot, plan };
};

/**
 * A values change through the one commit loop (commitWithRetries): read → plan (schema, Flux's
 * composition, helm template) → land: a commit on `branch` (direct environments) or a pull request
 * from `values/<env>/<chart>` (gated ones). In environments with `autoRollback: true`, the commit the
 * change is made on is recorded first (the values-base branch, and the annotation the change writes),
 * so a failure Flux reports can put the values back (runValuesRollback). Idempotent: values already in
 * place commit nothing.
 */
export const runValuesChange = (
  host: GitHost,
  branch: string,
  change: ValuesChange,
  options: ValuesChangeOptions,
): Promise<ValuesChangeOutcome> => {
  const subject = {
    kind: change.kind,
    chart: change.chart,
    environment: change.environment,
    runId: change.runId,
  };
  return commitWithRetries(options, async (): Promise<ValuesChangeOutcome> => {
    const { snapshot, plan } = await readAndPlan(host, branch, change, options);
    if (plan.status === 'unchanged') {
      return { ...subject, status: 'unchanged', reason: plan.reason, chartVersion: plan.chartVersion };
    }
    if (plan.status !== 'planned') return { ...subject, ...plan };
    // Before the commit: if it lands, the branch names its parent; if it loses the race, the next
    // round points it at the next head; a rollback trusts it only where the annotation agrees.
    if (plan.recordsBase && snapshot.head !== undefined)
      await host.setBranch!(valuesBaseBranch(change.environment, change.chart), snapshot.head);
    const landing = await landChange(
      host,
      branch,
      snapshot.head,
      plan.environment.mode,
      plan.changeSet,
      () => valuesPullRequestFor(change, plan, branch),
      change.environment,
    );
    if (landing.status === 'refused') return { ...subject, ...landing };
    return {
      ...subject,
      ...landing,
      chartVersion: plan.chartVersion,
      ...(plan.rendered === undefined ? {} : { rendered: plan.rendered }),
    };
  });
};

/** What a values change would do at the head of `branch`, rendered before and after; commits nothing. */
export const planValuesChangeAtHead = async (
  host: GitHost,
  branch: string,
  change: ValuesChange,
  options: Omit<ValuesChangeOptions, keyof CommitOptions> & Partial<CommitOptions>,
): Promise<{ readonly head: string | undefined; readonly plan: ValuesPlan }> => {
  const { snapshot, plan } = await readAndPlan(host, branch, change, {
    ...options,
    compare: options.compare ?? true,
    recordBase: false,
  } as ValuesChangeOptions);
  return { head: snapshot.head, plan };
};

const noPrevious = (message: string): ValuesRefusal => ({
  status: 'refused',
  code: 'NO_PREVIOUS_VALUES',
  message,
});

/**
 * The values the HelmRelease had before the change now in `environment` (the one a Flux failure is
 * about): the file at the commit the change recorded as its base (VALUES_BASE_ANNOTATION), read
 * through the values-base branch, which must still point at that commit.
 */
const previousValues = async (
  host: GitHost,
  branch: string,
  target: { readonly chart: string; readonly environment: string },
  options: ValuesChangeOptions,
): Promise<ValuesChange['values'] | ValuesRefusal> => {
  const layout = options.layout ?? DEFAULT_LAYOUT;
  const path = releasePath(layout, target.environment, target.chart);
  const current = await host.snapshot(branch, { files: [path], trees: [] });
  const text = current.files.get(path);
  const state = text === undefined ? undefined : readReleaseState(text);
  if (!state?.ok) return noPrevious(`${target.environment} does not run ${target.chart}`);
  const doc = parseHelmDocument(text!);
  const base = doc.getIn(['metadata', 'annotations', VALUES_BASE_ANNOTATION]);
  if (typeof base !== 'string') {
    return noPrevious(
      `${path} records no ${VALUES_BASE_ANNOTATION}: the change was not made by chart-promoter in an environment with autoRollback`,
    );
  }
  const ref = valuesBaseBranch(target.environment, target.chart);
  let before: Awaited<ReturnType<GitHost['snapshot']>>;
  try {
    before = await host.snapshot(ref, { files: [path], trees: [] });
  } catch (error) {
    if (error instanceof GitHostError && error.code === 'NOT_FOUND')
      return noPrevious(`branch ${ref} does not exist`);
    throw error;
  }
  if (before.head !== base) {
    return noPrevious(
      `branch ${ref} points at ${before.head ?? 'nothing'}, not at ${base} where the change was made`,
    );
  }
  const previousText = before.files.get(path);
  if (previousText === undefined) return { value: {} };
  const read = readReleaseValues(previousText, target.environment);
  if (!read.ok) return noPrevious(`${path} at ${base} cannot be read: ${read.message}`);
  const node = valuesNodeOf(parseHelmDocument(previousText));
  return { value: read.values, ...(isMap(node) ? { contents: node } : {}) };
};

/**
 * Puts back the values a failed values change replaced (git history is the source: the file at the
 * commit the change was made on), as a values change of kind `rollback` with its own run id (which
 * starts with `rollback-`, so a failing rollback is never rolled back again).
 */
export const runValuesRollback = async (
  host: GitHost,
  branch: string,
  target: { readonly chart: string; readonly environment: string; readonly runId: string },
  options: ValuesChangeOptions,
): Promise<ValuesChangeOutcome> => {
  const subject = { kind: 'rollback' as const, ...target };
  const values = await previousValues(host, branch, target, options);
  if ('status' in values) return { ...subject, ...values };
  return runValuesChange(host, branch, { ...subject, values }, options);
};
