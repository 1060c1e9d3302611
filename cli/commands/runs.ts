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
import { anyRunJson, runJson, runTable } from '../run-table';
import { queryDeployedRuns } from '../runs/deployed-runs';
import type { PollOptions } from '../runs/logs-insights';

export const DEFAULT_LOCAL_WORKDIR = '.chart-promoter';
const DEFAULT_SINCE = '24h';

const SINCE_UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since 90m | 24h | 7d | 30s` as milliseconds; anything else is a usage error. */
const parseSince = (text: string): number => {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const amount = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(amount) || amount <= 0)
    throw new CliError('USAGE', `--since takes a positive duration like 30m, 24h or 7d, got ${text}`);
  return amount * SINCE_UNIT_MS[match[2] as keyof typeof SINCE_UNIT_MS];
};

const HELP = `Usage: chart-promoter runs [--workdir DIR] [--limit N] [--json]
       chart-promoter runs --log-group NAME [--region REGION] [--since 24h] [--limit N] [--json]

List recent runs, newest last.

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
  ['--limit N', 'show the last N runs (default: 20)'],
  ['--json', 'print {runs:[...]} as one JSON document'],
  ['-h, --help', 'show this help'],
])}

Examples:
  chart-promoter runs --workdir ./demo-state
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
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `poll` paces the Logs Insights polling (tests pass a fake clock). */
export const runsCommand = (deps: Pick<CliDependencies, 'logs'>, poll: PollOptions = {}): Command => ({
  name: 'runs',
  summary: 'list recent runs (the local run log, or CloudWatch Logs Insights with --log-group)',
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(args, OPTIONS, { min: 0, max: 0, names: '' });
    const limit = Number(values.limit ?? '20');
    if (!Number.isInteger(limit) || limit <= 0) {
      io.stderr.write(`--limit must be a positive whole number, got ${values.limit}\n`);
      return EXIT.usage;
    }
    const logGroup = values['log-group'];
    if (logGroup === undefined) {
      if (values.region !== undefined || values.since !== undefined)
        throw new CliError('USAGE', '--region and --since need --log-group');
      return listLocal(io, resolve(values.workdir ?? DEFAULT_LOCAL_WORKDIR), limit, values.json === true);
    }
    if (values.workdir !== undefined)
      throw new CliError('USAGE', '--log-group (AWS) and --workdir (local) exclude each other');
    if (logGroup.trim() === '') throw new CliError('USAGE', '--log-group needs a log group name');
    const since = values.since ?? DEFAULT_SINCE;
    const sinceMs = parseSince(since);
    const client = await deps.logs(values.region);
    const found = await queryDeployedRuns(client, { logGroupName: logGroup, sinceMs }, poll);
    const runs = found.runs.slice(-limit);
    if (found.moves > 0)
      io.stderr.write(`${found.moves} environment-move line(s) (promote/rollback commands) not listed\n`);
    if (found.malformed > 0)
      io.stderr.write(`skipped ${found.malformed} result row(s) without an outcome line's keys\n`);
    if (found.runs.length + found.moves + found.malformed >= found.queryLimit && found.runs.length < limit)
      io.stderr.write(
        `the runs query stops at ${found.queryLimit} lines: older runs exist, narrow --since\n`,
      );
    if (values.json) io.stdout.write(`${JSON.stringify({ runs: runs.map(runJson) })}\n`);
    else if (runs.length === 0) io.stdout.write(`no runs in ${logGroup} in the last ${since}\n`);
    else io.stdout.write(`${runTable(runs)}\n`);
    return EXIT.ok;
  },
});

const listLocal = async (io: CliIo, workdir: string, limit: number, json: boolean): Promise<ExitCode> => {
  const runs = (await readRunLog(join(workdir, 'runs.jsonl'))).slice(-limit);
  if (json) io.stdout.write(`${JSON.stringify({ runs: runs.map(anyRunJson) })}\n`);
  else if (runs.length === 0) io.stdout.write(`no runs yet in ${workdir}\n`);
  else io.stdout.write(`${runTable(runs)}\n`);
  return EXIT.ok;
};
