/**
 * Reads a cluster repository's branch back with the git CLI and checks what the pipeline promises
 * about it: a linear history, a repository git's own fsck accepts, and no partial commit — every
 * commit that adds a chart version carries, in the same tree, the whole chart directory, its
 * HelmRelease pointing at it, and the kustomization listing that release.
 */

export type GitRunner = (...args: string[]) => Promise<string>;

export interface BranchAudit {
  /** Commits on the branch, oldest first. */
  readonly commits: readonly string[];
  /** Merge commits (must be none: the branch is linear). */
  readonly merges: number;
  /** `name@version` → number of commits that added its Chart.yaml (1 = no duplicate). */
  readonly chartAdds: ReadonlyMap<string, number>;
  /** Everything found wrong (empty when the promises hold). */
  readonly problems: readonly string[];
}

const CHART_YAML = /^charts\/([^/]+)\/([^/]+)\/Chart\.yaml$/;

const checkCommit = async (
  git: GitRunner,
  commit: string,
  added: readonly [string, string][],
  environment: string,
): Promise<string[]> => {
  const problems: string[] = [];
  const tree = new Set((await git('ls-tree', '-r', '--name-only', commit)).split('\n'));
  const kustomization = tree.has(`environments/${environment}/kustomization.yaml`)
    ? await git('show', `${commit}:environments/${environment}/kustomization.yaml`)
    : '';
  for (const [name, version] of added) {
    const release = `environments/${environment}/${name}.yaml`;
    if (!tree.has(release)) {
      problems.push(`${commit}: adds ${name}@${version} without ${release}`);
      continue;
    }
    const manifest = await git('show', `${commit}:${release}`);
    if (!manifest.includes(`./charts/${name}/`))
      problems.push(`${commit}: ${release} does not point at charts/${name}`);
    if (!kustomization.includes(`${name}.yaml`))
      problems.push(`${commit}: kustomization does not list ${name}.yaml`);
    if (
      !tree.has(`charts/${name}/${version}/values.yaml`) &&
      !tree.has(`charts/${name}/${version}/templates/configmap.yaml`)
    )
      problems.push(`${commit}: charts/${name}/${version}/ holds only part of the chart`);
  }
  return problems;
};

export const auditBranch = async (
  git: GitRunner,
  branch: string,
  environment: string,
): Promise<BranchAudit> => {
  const problems: string[] = [];
  await git('fsck', '--strict', '--no-progress').catch((error: unknown) => {
    problems.push(`git fsck: ${String(error)}`);
  });
  const commits = (await git('rev-list', '--reverse', branch)).split('\n').filter(Boolean);
  const merges = (await git('rev-list', '--min-parents=2', branch)).split('\n').filter(Boolean).length;
  if (merges > 0) problems.push(`${merges} merge commits on ${branch}`);
  const chartAdds = new Map<string, number>();
  for (const commit of commits) {
    const changed = await git(
      'diff-tree',
      '--root',
      '--no-commit-id',
      '-r',
      '--diff-filter=A',
      '--name-only',
      commit,
    );
    const added = changed
      .split('\n')
      .map((line) => CHART_YAML.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1]!, match[2]!] as [string, string]);
    for (const [name, version] of added)
      chartAdds.set(`${name}@${version}`, (chartAdds.get(`${name}@${version}`) ?? 0) + 1);
    problems.push(...(await checkCommit(git, commit, added, environment)));
  }
  for (const [chart, adds] of chartAdds) if (adds > 1) problems.push(`${chart} added by ${adds} commits`);
  return { commits, merges, chartAdds, problems };
};
