/**
 * The starter `.chart-promoter.yaml`: what the local runtime seeds into a NEW cluster repository and
 * what `chart-promoter init` writes into a cluster repository that has none. It is the example users
 * copy, so every field carries a comment. Environments form a chain: the first takes new uploads
 * (direct commits), each next one follows the previous after a soak, and the last one (when there are
 * at least two) is gated by a pull request.
 */
export interface StarterPolicyOptions {
  /** In promotion order; at least one. @default ['dev', 'staging', 'prod'] */
  readonly environments?: readonly string[];
  /** How long an environment must run a version healthy before the next one gets it (Go duration). */
  readonly soak: string;
  /** One line saying why this soak was chosen (e.g. "short for the demo"). */
  readonly soakNote?: string;
  /** Require a verified `.prov` beside every upload (the demo signs its charts). @default false */
  readonly requireProvenance?: boolean;
}

const provenance = `# requireProvenance: promote a chart only if its .prov (uploaded beside it, as
# \`helm package --sign\` writes it) verifies against the configured public keyring.
requireProvenance: true
`;

const first = (name: string): string => `  - name: ${name}
    # mode: how changes reach the environment. direct = a commit on the branch Flux watches;
    # pull-request = a branch promote/<env>/<chart> and a pull request a human merges.
    # The first environment receives every new upload and must be direct.
    mode: direct
`;

const middle = (
  name: string,
  after: string,
  soak: string,
  note: string | undefined,
): string => `  - name: ${name}
    # after: promoted here once Flux reports the version healthy in ${after} (InstallSucceeded or
    # UpgradeSucceeded, or TestSucceeded when the HelmRelease enables Helm tests; with the run id
    # chart-promoter wrote)...
    after: ${after}
    # soak: ...and only after it has run there this long (Go durations: 30s, 10m, 1h30m; 0 = at once).${
      note ? `\n    # ${note}` : ''
    }
    soak: ${soak}
    # autoRollback: when Flux reports the release FAILED here (install, upgrade, tests, …), commit
    # the previous version back (a rollback is never rolled back again).
    autoRollback: true
    mode: direct
`;

const last = (name: string, after: string): string => `  - name: ${name}
    after: ${after}
    # A human approves this one: chart-promoter opens (or updates) one pull request per chart and
    # environment. On a plain git host (and locally) it pushes the branch for you to merge.
    mode: pull-request
    # charts: this environment's own allow-list (narrows the global one below).
    # charts: ["hello-*"]
`;

export const starterPolicy = (options: StarterPolicyOptions): string => {
  const names = options.environments ?? ['dev', 'staging', 'prod'];
  const [head, ...rest] = names;
  if (head === undefined) throw new Error('a policy needs at least one environment');
  const body = rest
    .map((name, index) => {
      const after = names[index]!;
      return index === rest.length - 1
        ? last(name, after)
        : middle(name, after, options.soak, options.soakNote);
    })
    .join('');
  return `# chart-promoter's promotion policy. It lives in the cluster repository, so a change to it is
# reviewed like any other change to the cluster. Reference: chart-promoter's README, "Progressive
# promotion". chart-promoter reads it at the commit it changes; a broken file stops promotions (they
# wait, and retry) until it is fixed.
#
# environments: in promotion order. Each one is the directory environments/<name>/ (a Flux
# Kustomization applies it) and the default namespace of its HelmReleases.
environments:
${first(head)}${body}
# charts: an allow-list of chart-name globs for every environment; absent = every chart.
# charts: ["hello-*", "podinfo"]
${options.requireProvenance ? provenance : ''}`;
};
