import { resolve } from 'node:path';
import { TABLE_NAME, TABLE_NAME_MESSAGE } from '../../functions/adapters/ledger/ledger-keys';
import { environmentsByFirstRelease } from '../../functions/board/board-view';
import { chartNameProblem } from '../../functions/chart/chart-metadata';
import { isPromoterError } from '../../functions/errors';
import { isValidEnvironmentName } from '../../functions/promotion/layout';
import { type CliDependencies, CliError, type Command, EXIT, parseCommandArgs } from '../command';
import { columns } from '../format';
import { type OpenedLedger, openDeployedLedger, openLocalLedger } from '../status/ledger-source';
import { statusTable } from '../status/status-table';
import { DEFAULT_LOCAL_WORKDIR } from './runs';

const HELP = `Usage: chart-promoter status [--workdir DIR] [--chart C] [--env E] [--json]
       chart-promoter status --table T [--region REGION] [--chart C] [--env E] [--json]

Where each chart stands in each environment, as the pipeline saw it (the release ledger; git stays
what SHOULD run): version, state, since when, upload-to-ready lead time, open pull request.

States: committed (on the branch, Flux has not reported yet), proposed (a pull request or pushed
branch waits for a human), converged (Flux reported it healthy; "late" after its convergeWithin
deadline), failed (Flux reported a failure), not-converged (no healthy report before the deadline),
rolled-back (the previous version was committed back).

Local mode (default): the ledger of \`chart-promoter local\` or \`chart-promoter demo --workdir DIR\`
(dynalite, kept in DIR/ledger; read through the running runtime when one runs).

AWS mode (--table): a deployed ledger, the stack's LedgerTableName output. Credentials and region
come from the AWS SDK chain (AWS_PROFILE, AWS_REGION, ~/.aws); the caller needs dynamodb:Scan (or
dynamodb:Query with --chart) on the table.

Options:
${columns([
  ['--workdir DIR', `local mode: the local runtime's work dir (default: ${DEFAULT_LOCAL_WORKDIR})`],
  ['--table T', "AWS mode: the release ledger's DynamoDB table"],
  ['--region REGION', "AWS mode: the table's region (default: the SDK's, e.g. AWS_REGION)"],
  ['--chart C', 'only this chart'],
  ['--env E', 'only this environment'],
  [
    '--json',
    'print {environments:[...], releases:[{chart, environment, version, state, since, leadTimeMs?, pullRequest?, ...}]}',
  ],
  ['-h, --help', 'show this help'],
])}

Examples:
  chart-promoter status --workdir ./demo-state
  chart-promoter status --chart podinfo --json
  TABLE=$(aws cloudformation describe-stacks --stack-name ChartPromoter \\
    --query "Stacks[0].Outputs[?OutputKey=='LedgerTableName'].OutputValue" --output text)
  chart-promoter status --table "$TABLE" --region eu-west-1 --env prod

Exit codes:
${columns([
  ['0', 'listed (possibly nothing recorded yet)'],
  ['1', 'the ledger could not be read just now (LEDGER_UNAVAILABLE: throttled, unreachable): retry'],
  [
    '2',
    'usage or environment error (USAGE, LEDGER_NOT_FOUND: no local ledger, LEDGER_MISCONFIGURED: no such table, access denied, no credentials)',
  ],
])}
`;

const OPTIONS = {
  workdir: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  chart: { type: 'string' },
  env: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const statusCommand = (deps: Pick<CliDependencies, 'dynamodb'>): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(args, OPTIONS, { min: 0, max: 0, names: '' });
    const { chart, env: environment, table } = values;
    if (chart !== undefined && chartNameProblem(chart) !== undefined)
      throw new CliError('USAGE', `--chart takes a chart name, got ${JSON.stringify(chart)}`);
    if (environment !== undefined && !isValidEnvironmentName(environment))
      throw new CliError(
        'USAGE',
        `--env takes an environment name (a DNS-1123 label), got ${JSON.stringify(environment)}`,
      );
    if (table !== undefined && values.workdir !== undefined)
      throw new CliError('USAGE', '--table (AWS) and --workdir (local) exclude each other');
    if (table === undefined && values.region !== undefined)
      throw new CliError('USAGE', '--region needs --table');
    if (table !== undefined && !TABLE_NAME.test(table))
      throw new CliError('USAGE', `--table ${TABLE_NAME_MESSAGE}, got ${JSON.stringify(table)}`);

    const ledger: OpenedLedger =
      table === undefined
        ? await openLocalLedger(resolve(values.workdir ?? DEFAULT_LOCAL_WORKDIR))
        : openDeployedLedger(await deps.dynamodb(values.region), table);
    let releases: Awaited<ReturnType<OpenedLedger['reader']['list']>>;
    try {
      releases = await ledger.reader.list({
        ...(chart === undefined ? {} : { chart }),
        ...(environment === undefined ? {} : { environment }),
      });
    } catch (error) {
      if (!isPromoterError(error)) throw error;
      throw new CliError(error.code, error.message, error.retryable ? EXIT.failed : EXIT.usage);
    } finally {
      await ledger.close();
    }
    const environments = environmentsByFirstRelease(releases);
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ environments, releases })}\n`);
      return EXIT.ok;
    }
    io.stdout.write(
      releases.length === 0
        ? `nothing recorded in ${ledger.label}${chart || environment ? ' that matches --chart/--env' : ''}\n`
        : `${statusTable(releases, environments, new Date().toISOString())}\n`,
    );
    return EXIT.ok;
  },
});
