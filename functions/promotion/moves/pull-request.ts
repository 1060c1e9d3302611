import type { PullRequestRequest, RepoSnapshot } from '../../ports/git-host';
import { chartDir, DEFAULT_LAYOUT, type RepositoryLayout } from '../layout';
import type { EnvironmentMove, MovePlan } from './environment-move';
import { lineDiff } from './line-diff';

type Planned = Extract<MovePlan, { status: 'planned' }>;

/** One branch per chart, environment and version: a re-run updates it, never opens a second PR. */
export const pullRequestBranch = (environment: string, chart: string, version: string): string =>
  `promote/${environment}/${chart}-${version}`;

/** GitHub refuses label names longer than 50 characters with a 422 (whole request, no label added). */
export const LABEL_NAME_LIMIT = 50;

const clampLabel = (label: string): string => {
  const chars = [...label];
  return chars.length <= LABEL_NAME_LIMIT ? label : `${chars.slice(0, LABEL_NAME_LIMIT - 1).join('')}…`;
};

/**
 * Labels of a promotion pull request, to filter proposals by tool, environment and chart. A name
 * past GitHub's limit is cut to 49 characters plus "…" (a Helm chart name may have 53), so a long
 * name can share its label with another chart that starts the same way; the title stays exact.
 */
export const pullRequestLabels = (environment: string, chart: string): string[] =>
  ['chart-promoter', `env/${environment}`, `chart/${chart}`].map(clampLabel);

const short = (id: string | undefined): string => (id === undefined ? '(none)' : id.slice(0, 12));

const valuesSection = (before: string | undefined, after: string | undefined): string => {
  if (before === undefined && after === undefined) return 'Neither version has a values.yaml.';
  if (before === after) return 'values.yaml: unchanged.';
  const diff = lineDiff(before ?? '', after ?? '');
  if (diff === undefined) return 'values.yaml changed (too large to show here).';
  return `\`\`\`diff\n${diff.replaceAll('```', '` ` `')}\n\`\`\``;
};

/**
 * Title and body of the pull request for a gated environment: the version move, whether the chart's
 * templates changed (compared by git tree id: equal ids mean identical content, no download needed),
 * and the default values diff. The snapshot is the one the plan was made from.
 */
export const pullRequestFor = (
  move: EnvironmentMove,
  plan: Planned,
  snapshot: RepoSnapshot,
  base: string,
  layout: RepositoryLayout = DEFAULT_LAYOUT,
): PullRequestRequest => {
  const environment = plan.environment.name;
  const to = chartDir(layout, move.chart, plan.toVersion);
  const from = plan.fromVersion === undefined ? undefined : chartDir(layout, move.chart, plan.fromVersion);
  const verb = move.kind === 'promote' ? 'promote' : 'rollback';
  const title =
    move.kind === 'promote'
      ? `promote ${move.chart} ${plan.toVersion} to ${environment}`
      : `rollback ${move.chart} in ${environment} to ${plan.toVersion}`;
  const templatesBefore = from === undefined ? undefined : snapshot.trees.get(`${from}/templates`);
  const templatesAfter = snapshot.trees.get(`${to}/templates`);
  const templates =
    from === undefined
      ? `new release: templates/ tree ${short(templatesAfter)}`
      : templatesBefore === templatesAfter
        ? `templates/: unchanged (tree ${short(templatesAfter)})`
        : `templates/: changed (tree ${short(templatesBefore)} → ${short(templatesAfter)}; \`git diff ${short(templatesBefore)} ${short(templatesAfter)}\`)`;
  const body = [
    `chart-promoter: ${verb} **${move.chart}** in **${environment}**`,
    '',
    '| | |',
    '| --- | --- |',
    `| chart version | ${plan.fromVersion ?? '(not deployed)'} → ${plan.toVersion} |`,
    `| chart | \`${from ?? '-'}\` → \`${to}\` |`,
    `| chart tree | ${short(from === undefined ? undefined : snapshot.trees.get(from))} → ${short(snapshot.trees.get(to))} |`,
    ...(move.kind === 'promote' && move.from ? [`| healthy in | ${move.from} |`] : []),
    `| run | \`${move.runId}\` |`,
    ...(plan.issues && plan.issues.length > 0 ? [`| issues | ${plan.issues.join(', ')} |`] : []),
    '',
    `### Templates\n\n${templates}`,
    '',
    `### Default values (values.yaml)\n\n${valuesSection(from === undefined ? undefined : snapshot.files.get(`${from}/values.yaml`), snapshot.files.get(`${to}/values.yaml`))}`,
    '',
    'Merging this pull request deploys the change (Flux applies the merge commit).',
  ].join('\n');
  return {
    head: pullRequestBranch(environment, move.chart, plan.toVersion),
    base,
    title,
    body,
    labels: pullRequestLabels(environment, move.chart),
  };
};
