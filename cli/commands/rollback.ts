import { type CliDependencies, CliError, type Command, parseCommandArgs } from '../command';
import { columns } from '../format';
import { runPromotion, TARGET_HELP, TARGET_OPTIONS } from '../promotion-run';

const HELP = `Usage: chart-promoter rollback <chart> --env <env> [--to <version>]
                               [--workdir DIR | --function NAME [--region REGION]] [--json]

Put an earlier chart version back in an environment, as a commit (or a pull request, per the
policy), like any promotion. Without --to, the version the release ran before its last change
(recorded in its chart-promoter.io/previous-version annotation; rolling back twice undoes the
first rollback). Only the chart reference and chart-promoter's annotations change: values,
comments and everything else in the HelmRelease stay byte for byte.

Options:
${columns([
  ['--env ENV', 'the environment to roll back (required)'],
  ['--to VERSION', 'the version to go back to (default: the previous one)'],
  ...TARGET_HELP,
])}

Examples:
  chart-promoter rollback hello-web --env staging --workdir ./demo-state
  chart-promoter rollback hello-web --env prod --to 1.0.0 --function chart-promoter-promote

Exit codes:
${columns([
  ['0', 'committed, pull request opened or updated, branch pushed, or already at that version'],
  ['1', 'refused (RELEASE_NOT_FOUND, NO_PREVIOUS_VERSION, VERSION_NOT_FOUND, ...) or failed'],
  ['2', 'usage or environment error'],
])}
`;

export const rollbackCommand = (deps: CliDependencies): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(
      args,
      { env: { type: 'string' }, to: { type: 'string' }, ...TARGET_OPTIONS },
      { min: 1, max: 1, names: '<chart>' },
    );
    if (values.env === undefined) throw new CliError('USAGE', 'missing option: --env <env>');
    return runPromotion(
      deps,
      io,
      {
        chartPromoter: 'rollback',
        chart: positionals[0],
        environment: values.env,
        ...(values.to === undefined ? {} : { toVersion: values.to }),
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
