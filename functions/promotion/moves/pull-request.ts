import type { PullRequestRequest, RepoSnapshot } from '../../ports/git-host';
import { chartDir, DEFAULT_LAYOUT, type RepositoryLayout } from '../layout';
import type { EnvironmentMove, MovePlan } from './environment-move';
import { lineDiff } from './line-diff';

type Planned = Extract<MovePlan, { status: 'planned' }>;

/**
 * One branch per chart and environment, so one pull request: a re-run, a newer version or a rollback
 * restarts the branch from the base's head and updates the open pull request, never opens a second.
 * Issue keys are not in the name: they belong to a version, and a name that changed with them would
 * open a pull request per version. Jira links the pull request through its title instead (below).
 */
export const pullRequestBranch = (environment: string, chart: string): string =>
  `promote/${environment}/${chart}`;

/** A cap below GitHub's 256; Bitbucket's and GitLab's exact limits are unconfirmed (REAL-SERVICES.md, Jira). */
export const TITLE_LIMIT = 255;

/**
 * The title names the move and the version's issue keys: Jira's Bitbucket and GitHub integrations link
 * "pull requests … if the issue key is included in the pull request's title or in the source branch
 * name" (Atlassian, "Reference issues in your development work",
 * https://support.atlassian.com/jira-software-cloud/docs/reference-issues-in-your-development-work/), and
 * GitLab's Jira integration syncs merge requests whose title or description holds a key
 * (gitlab-org/gitlab app/workers/jira_connect/sync_project_worker.rb, Atlassian::JiraIssueKeyExtractor;
 * keys match `\b[A-Z][A-Z_0-9]+-\d+`, lib/gitlab/regex.rb). So "pull request created → issue moves"
 * needs no Jira API call. Keys that would not fit are left to the body, which lists them all.
 */
export const pullRequestTitle = (subject: string, issues: readonly string[] = []): string => {
  let title = subject;
  for (const key of issues) {
    const next = title === subject ? `${subject} (${key})` : `${title.slice(0, -1)}, ${key})`;
    if ([...next].length > TITLE_LIMIT) break;
    title = next;
  }
  return title;
};

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
 * and the default values diff. The snapshot is the one the plan was made from. Pure, and the same for
 * every Git host: each adapter only carries it (Bitbucket and GitLab render the same Markdown).
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
  const title = pullRequestTitle(
    move.kind === 'promote'
      ? `promote ${move.chart} ${plan.toVersion} to ${environment}`
      : `rollback ${move.chart} in ${environment} to ${plan.toVersion}`,
    plan.issues,
  );
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
    head: pullRequestBranch(environment, move.chart),
    base,
    title,
    body,
    labels: pullRequestLabels(environment, move.chart),
  };
};
