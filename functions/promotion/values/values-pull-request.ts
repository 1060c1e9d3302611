import type { PullRequestRequest } from '../../ports/git-host';
import { lineDiff } from '../moves/line-diff';
import { pullRequestLabels } from '../moves/pull-request';
import type { ValuesPlan } from './plan-values-change';
import { type ValuesChange, valuesPullRequestBranch } from './values-change';

type Planned = Extract<ValuesPlan, { status: 'planned' }>;

const fenced = (text: string): string => `\`\`\`diff\n${text.replaceAll('```', '` ` `')}\n\`\`\``;

/** The HelmRelease's `values:` entry before → after, as a line diff. */
export const valuesDiffText = (before: string, after: string): string | undefined => lineDiff(before, after);

const objectList = (label: string, ids: readonly string[]): string[] =>
  ids.length === 0 ? [] : [`${label}:`, ...ids.map((id) => `- \`${id}\``)];

/** What rendering before and after showed, in words. */
export const renderedSection = (plan: Pick<Planned, 'rendered' | 'renderNote'>): string => {
  const { rendered } = plan;
  if (!rendered) return plan.renderNote ?? 'not compared';
  const total = rendered.changed.length + rendered.added.length + rendered.removed.length;
  if (total === 0) return 'The rendered manifests do not change (`helm template` before and after).';
  return [
    `The rendered manifests change (\`helm template\` before and after): ${rendered.changed.length} changed, ${rendered.added.length} added, ${rendered.removed.length} removed.`,
    '',
    ...objectList('Changed', rendered.changed),
    ...objectList('Added', rendered.added),
    ...objectList('Removed', rendered.removed),
  ].join('\n');
};

/**
 * The pull request of a values change for a gated environment: one per chart and environment
 * (branch `values/<env>/<chart>`, updated by a newer change), its body the values diff of the
 * HelmRelease and whether (and which) rendered objects change.
 */
export const valuesPullRequestFor = (
  change: ValuesChange,
  plan: Planned,
  base: string,
): PullRequestRequest => {
  const environment = plan.environment.name;
  const verb = change.kind === 'set' ? 'set values of' : 'rollback values of';
  const diff = valuesDiffText(plan.valuesText.before, plan.valuesText.after);
  const body = [
    `chart-promoter: ${verb} **${change.chart}** in **${environment}**`,
    '',
    '| | |',
    '| --- | --- |',
    `| chart version | ${plan.chartVersion} (unchanged) |`,
    ...(change.source ? [`| uploaded | \`s3://${change.source.bucket}/${change.source.key}\` |`] : []),
    `| run | \`${change.runId}\` |`,
    '',
    '### Values (spec.values)',
    '',
    diff === undefined ? 'spec.values changed (too large to show here).' : fenced(diff),
    '',
    '### Rendered manifests',
    '',
    renderedSection(plan),
    '',
    'Merging this pull request deploys the change (Flux applies the merge commit).',
  ].join('\n');
  return {
    head: valuesPullRequestBranch(environment, change.chart),
    base,
    title: `${verb} ${change.chart} in ${environment}`,
    body,
    labels: pullRequestLabels(environment, change.chart),
  };
};
