import { join, resolve } from 'node:path';
import { readRunLog } from '../../functions/local/run-log';
import { type Command, EXIT, parseCommandArgs } from '../command';
import { columns } from '../format';
import { anyRunJson, runTable } from '../run-table';

export const DEFAULT_LOCAL_WORKDIR = '.chart-promoter';

const HELP = `Usage: chart-promoter runs [--workdir DIR] [--limit N] [--json]

List recent runs of the local pipeline (from the run log of \`chart-promoter local\` or
\`chart-promoter demo --workdir DIR\`), newest last: uploads, and environment moves (promotions
after Flux feedback or a soak, manual promote/rollback) marked "kind": "promotion" in --json. Deployed pipelines log each run to CloudWatch:
query them with the "chart-promoter runs" Logs Insights query the stack creates.

Options:
${columns([
  ['--workdir DIR', `the local runtime's work dir (default: ${DEFAULT_LOCAL_WORKDIR})`],
  ['--limit N', 'show the last N runs (default: 20)'],
  ['--json', 'print {runs:[...]} as one JSON document'],
  ['-h, --help', 'show this help'],
])}

Exit codes: 0 listed (possibly none), 2 usage error.
`;

export const runsCommand = (): Command => ({
  name: 'runs',
  summary: 'list recent runs of the local pipeline',
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(
      args,
      { workdir: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
      { min: 0, max: 0, names: '' },
    );
    const limit = Number(values.limit ?? '20');
    if (!Number.isInteger(limit) || limit <= 0) {
      io.stderr.write(`--limit must be a positive whole number, got ${values.limit}\n`);
      return EXIT.usage;
    }
    const workdir = resolve(values.workdir ?? DEFAULT_LOCAL_WORKDIR);
    const runs = (await readRunLog(join(workdir, 'runs.jsonl'))).slice(-limit);
    if (values.json) io.stdout.write(`${JSON.stringify({ runs: runs.map(anyRunJson) })}\n`);
    else if (runs.length === 0) io.stdout.write(`no runs yet in ${workdir}\n`);
    else io.stdout.write(`${runTable(runs)}\n`);
    return EXIT.ok;
  },
});
