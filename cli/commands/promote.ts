import { type CliDependencies, CliError, type Command, parseCommandArgs } from '../command';
import { columns } from '../format';
import { runPromotion, TARGET_HELP, TARGET_OPTIONS } from '../promotion-run';

const HELP = `Usage: chart-promoter promote <chart> <version> --to <env> [--from <env>]
                              [--workdir DIR | --function NAME [--region REGION]] [--json]

Move a chart version that is already in the cluster repository (charts/<chart>/<version>/) into an
environment, by hand: the same policy (.chart-promoter.yaml: allow-lists, direct or pull-request),
the same checks (Flux CRD schema, kustomization) and the same commit format as an automatic
promotion. A direct environment gets a commit; a gated one the branch promote/<env>/<chart> and a
pull (or merge) request on hosts that have them, the branch alone on plain git (and locally: --workdir
acts on the local bare repository). Promoting what is already there commits nothing.

Options:
${columns([
  ['--to ENV', 'the environment to promote into (required)'],
  ['--from ENV', 'only if ENV still runs this version (what the automatic promotion checks)'],
  ...TARGET_HELP,
])}

Examples:
  chart-promoter promote hello-web 1.0.0 --to staging --workdir ./demo-state
  chart-promoter promote hello-web 1.0.0 --to prod --function chart-promoter-promote --json

Exit codes:
${columns([
  ['0', 'committed, pull request opened or updated, branch pushed, or already there (unchanged)'],
  [
    '1',
    'refused (the code says why: ENVIRONMENT_UNKNOWN, VERSION_NOT_FOUND, CHART_NOT_ALLOWED, ...), skipped, or failed',
  ],
  ['2', 'usage or environment error (no cluster repository, no AWS credentials, no such function)'],
])}
`;

export const promoteCommand = (deps: CliDependencies): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(
      args,
      { to: { type: 'string' }, from: { type: 'string' }, ...TARGET_OPTIONS },
      { min: 2, max: 2, names: '<chart> <version>' },
    );
    if (values.to === undefined) throw new CliError('USAGE', 'missing option: --to <env>');
    return runPromotion(
      deps,
      io,
      {
        chartPromoter: 'promote',
        chart: positionals[0],
        version: positionals[1],
        to: values.to,
        ...(values.from === undefined ? {} : { from: values.from }),
      },
      {
        json: values.json === true,
        ...(values.workdir === undefined ? {} : { workdir: values.workdir }),
        ...(values.function === undefined ? {} : { functionName: values.function }),
        ...(values.region === undefined ? {} : { region: values.region }),
      },
    );
  },
});
