import { join, resolve } from 'node:path';
import { readRunLog } from '../../functions/local/run-log';
import {
  type CliDependencies,
  CliError,
  type CliIo,
  type Command,
  EXIT,
  type ExitCode,
  parseCommandArgs,
} from '../command';
import { columns } from '../format';
import { anyRunJson, runTable } from '../run-table';
import { queryDeployedRuns } from '../runs/deployed-runs';
import type { PollOptions } from '../runs/logs-insights';
import {
  type FilteredRuns,
  filterRuns,
  ignoredLine,
  parseRunFilter,
  RUN_STATUSES,
  type RunFilter,
} from '../runs/run-filter';
import { parseSince } from '../runs/since';

export const DEFAULT_LOCAL_WORKDIR = '.chart-promoter';
const DEFAULT_SINCE = '24h';

const HELP = `Usage: chart-promoter runs [--workdir DIR] [--chart C] [--status S] [--all] [--limit N] [--json]
       chart-promoter runs --log-group NAME [--region REGION] [--since 24h] [--chart C] [--status S]
                           [--all] [--limit N] [--json]

List recent runs, newest last: chart and version (whenever the chart's Chart.yaml could be read,
refused runs included), environment, status, commit, and for a refusal every code and message.
Objects the pipeline ignored (the templates, values.yaml… of a chart directory uploaded file by
file, a folder marker) are counted on one line at the end instead of listed: --all lists them.

Local mode (default): the run log of \`chart-promoter local\` or \`chart-promoter demo --workdir DIR\`:
uploads, and environment moves (promotions after Flux feedback or a soak, manual promote/rollback)
marked "kind": "promotion" in --json.

AWS mode (--log-group): the upload runs of a deployed pipeline, from the promote function's log group
(the stack's LogGroupName output) through CloudWatch Logs Insights, with the same query as the
"<stack name>/runs" saved query the stack creates (at most its 200 newest lines). Credentials and
region come from the AWS SDK chain (AWS_PROFILE, AWS_REGION, ~/.aws); the caller needs
logs:StartQuery, logs:GetQueryResults and logs:StopQuery on the log group.

Options:
${columns([
  ['--workdir DIR', `local mode: the local runtime's work dir (default: ${DEFAULT_LOCAL_WORKDIR})`],
  ['--log-group NAME', "AWS mode: the promote function's log group"],
  ['--region REGION', "AWS mode: the log group's region (default: the SDK's, e.g. AWS_REGION)"],
  ['--since DURATION', `AWS mode: how far back to look: 30m, 24h, 7d (default: ${DEFAULT_SINCE})`],
  [
    '--chart C',
    'only runs of these charts (a,b); a run refused before its Chart.yaml was read matches by file name (C-…)',
  ],
  ['--status S', `only runs with these statuses (a,b): ${RUN_STATUSES.join(', ')}`],
  ['--all', 'list ignored objects one by one too'],
  ['--limit N', 'show the last N runs that match (default: 20)'],
  [
    '--json',
    'print {runs:[...], ignored:{count, byCode}} as one JSON document; a refused run carries every refusal in "refusals"',
  ],
  ['-h, --help', 'show this help'],
])}

Examples:
  chart-promoter runs --workdir ./demo-state
  chart-promoter runs --status refused --chart podinfo
  LOG_GROUP=$(aws cloudformation describe-stacks --stack-name ChartPromoter \\
    --query "Stacks[0].Outputs[?OutputKey=='LogGroupName'].OutputValue" --output text)
  chart-promoter runs --log-group "$LOG_GROUP" --region eu-west-1 --since 7d

Exit codes:
${columns([
  ['0', 'listed (possibly none)'],
  ['1', 'the Logs Insights query failed, was cancelled or timed out'],
  ['2', 'usage or environment error (no AWS credentials, access denied, no such log group)'],
])}
`;

const OPTIONS = {
  workdir: { type: 'string' },
  'log-group': { type: 'string' },
  region: { type: 'string' },
  since: { type: 'string' },
  chart: { type: 'string' },
  status: { type: 'string' },
  all: { type: 'boolean' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `poll` paces the Logs Insights polling (tests pass a fake clock). */
export const runsCommand = (deps: Pick<CliDependencies, 'logs'>, poll: PollOptions = {}): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(args, OPTIONS, { min: 0, max: 0, names: '' });
    const limit = Number(values.limit ?? '20');
    if (!Number.isInteger(limit) || limit <= 0) {
      io.stderr.write(`--limit must be a positive whole number, got ${values.limit}\n`);
      return EXIT.usage;
    }
    const filter = parseRunFilter(values);
    const json = values.json === true;
    const logGroup = values['log-group'];
    if (logGroup === undefined) {
      if (values.region !== undefined || values.since !== undefined)
        throw new CliError('USAGE', '--region and --since need --log-group');
      return listLocal(io, resolve(values.workdir ?? DEFAULT_LOCAL_WORKDIR), { filter, limit, json });
    }
    if (values.workdir !== undefined)
      throw new CliError('USAGE', '--log-group (AWS) and --workdir (local) exclude each other');
    if (logGroup.trim() === '') throw new CliError('USAGE', '--log-group needs a log group name');
    const since = values.since ?? DEFAULT_SINCE;
    const sinceMs = parseSince(since);
    const client = await deps.logs(values.region);
    const found = await queryDeployedRuns(client, { logGroupName: logGroup, sinceMs, filter }, poll);
    // The query filtered already; the same rule again makes its looser key match exact.
    const { runs: matching } = filterRuns(found.runs, filter);
    const shown = { runs: matching.slice(-limit), ignored: found.ignored };
    if (found.moves > 0)
      io.stderr.write(`${found.moves} environment-move line(s) (promote/rollback commands) not listed\n`);
    if (found.malformed > 0)
      io.stderr.write(`skipped ${found.malformed} result row(s) without an outcome line's keys\n`);
    if (found.runs.length + found.moves + found.malformed >= found.queryLimit && matching.length < limit)
      io.stderr.write(
        `the runs query stops at ${found.queryLimit} lines: older runs exist, narrow --since\n`,
      );
    print(io, shown, json, `no runs in ${logGroup} in the last ${since}${filtered(filter)}`);
    return EXIT.ok;
  },
});

const filtered = (filter: RunFilter): string =>
  filter.charts || filter.statuses ? ' that match --chart/--status' : '';

interface ListOptions {
  readonly filter: RunFilter;
  readonly limit: number;
  readonly json: boolean;
}

const listLocal = async (io: CliIo, workdir: string, options: ListOptions): Promise<ExitCode> => {
  const { runs, ignored } = filterRuns(await readRunLog(join(workdir, 'runs.jsonl')), options.filter);
  print(
    io,
    { runs: runs.slice(-options.limit), ignored },
    options.json,
    `no runs yet in ${workdir}${filtered(options.filter)}`,
  );
  return EXIT.ok;
};

/** The table (or the JSON document), then the one line that counts the ignored objects. */
const print = (io: CliIo, { runs, ignored }: FilteredRuns, json: boolean, none: string): void => {
  if (json) {
    io.stdout.write(`${JSON.stringify({ runs: runs.map(anyRunJson), ignored })}\n`);
    return;
  }
  const lines = runs.length === 0 ? [none] : [runTable(runs)];
  if (ignored.count > 0) lines.push(`${runs.length === 0 ? '' : '  '}${ignoredLine(ignored)}`);
  io.stdout.write(`${lines.join('\n')}\n`);
};
