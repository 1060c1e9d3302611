import { resolve } from 'node:path';
import { type CliDependencies, CliError, type Command, EXIT, parseCommandArgs } from '../command';
import { columns } from '../format';
import { isLocalHostKind, LOCAL_HOST_KINDS, startLocalPipeline } from '../local-pipeline';
import { promotionJson, runJson, runLine, runTable } from '../run-table';
import { DEFAULT_LOCAL_WORKDIR } from './runs';

const HELP = `Usage: chart-promoter local [--workdir DIR] [--port N] [--feedback-port N] [--board-port N] [--json] [--no-render]

Start the embedded pipeline and keep it running: a local S3 endpoint, the promote pipeline (the
same code as the Lambda function), a local cluster repository, and the feedback endpoint Flux's
notification-controller would call (generic-hmac; the key is DIR/webhook-token) with the scheduler
that promotes to the next environment once its soak is over. Every chart uploaded under the prefix
is validated and committed as it arrives; one line is printed per run and per environment move.
The promotion board (the page the CloudWatch widget shows) is served on 127.0.0.1 and refreshes
itself.
A new cluster repository gets a starter .chart-promoter.yaml (dev → staging → prod). Ctrl-C stops it
(promotions still waiting for their soak are dropped, and logged).

Options:
${columns([
  [
    '--workdir DIR',
    `where S3 data, the cluster repository and the run log live (default: ${DEFAULT_LOCAL_WORKDIR})`,
  ],
  ['--port N', 'S3 endpoint port (default: a free port)'],
  ['--feedback-port N', 'feedback endpoint port on 127.0.0.1 (default: a free port)'],
  ['--board-port N', 'promotion board port on 127.0.0.1 (default: a free port)'],
  [
    '--json',
    'first stdout line: {"s3Endpoint","bucket","prefix","clusterRepo","feedbackUrl","boardUrl"}; then one JSON run (or environment move) per line',
  ],
  ['--no-render', 'skip the helm lint/template check'],
  [
    '--host KIND',
    `where the cluster repository lives: ${LOCAL_HOST_KINDS.join(', ')} (default git: a bare repository in the work dir); bitbucket, gitlab and github: a local stand-in of that host's API over a temporary repository, gone when local stops (gated environments get pull or merge requests)`,
  ],
  ['-h, --help', 'show this help'],
])}

Try it (in another terminal):
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws s3 cp my-chart-1.0.0.tgz \\
    s3://charts/incoming/ --endpoint-url http://127.0.0.1:<port>
  chart-promoter push ./my-chart --endpoint http://127.0.0.1:<port>

Exit codes: 0 stopped cleanly, 2 usage or environment error (e.g. the port is taken).
`;

export const localCommand = (deps: CliDependencies): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(
      args,
      {
        workdir: { type: 'string' },
        port: { type: 'string' },
        'feedback-port': { type: 'string' },
        'board-port': { type: 'string' },
        json: { type: 'boolean' },
        'no-render': { type: 'boolean' },
        host: { type: 'string' },
      },
      { min: 0, max: 0, names: '' },
    );
    const port = portOption('--port', values.port);
    const feedbackPort = portOption('--feedback-port', values['feedback-port']);
    const boardPort = portOption('--board-port', values['board-port']);
    const workdir = resolve(values.workdir ?? DEFAULT_LOCAL_WORKDIR);
    const host = values.host ?? 'git';
    if (!isLocalHostKind(host))
      throw new CliError('USAGE', `--host must be one of ${LOCAL_HOST_KINDS.join(', ')}, got ${host}`);
    const runtime = await startLocalPipeline(deps, {
      workdir,
      port,
      feedbackPort,
      boardPort,
      render: !values['no-render'],
      host,
      onOutcomes: (outcomes) => {
        for (const outcome of outcomes) {
          io.stdout.write(values.json ? `${JSON.stringify(runJson(outcome))}\n` : `${runLine(outcome)}\n`);
        }
      },
      onPromotions: (records) => {
        io.stdout.write(
          values.json
            ? records.map((record) => `${JSON.stringify(promotionJson(record))}\n`).join('')
            : `${runTable(records).split('\n').slice(1).join('\n')}\n`,
        );
      },
    });
    const { endpoint } = runtime.s3;
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ s3Endpoint: endpoint, bucket: runtime.bucket, prefix: runtime.prefix, clusterRepo: runtime.clusterRepo, feedbackUrl: runtime.feedbackUrl, boardUrl: runtime.boardUrl })}\n`,
      );
    } else {
      io.stdout.write(`chart-promoter local: promoting uploads to s3://${runtime.bucket}/${runtime.prefix} into ${runtime.environment}

${columns([
  ['S3 endpoint', endpoint],
  ['bucket', `${runtime.bucket} (prefix ${runtime.prefix})`],
  ['credentials', 'S3RVER / S3RVER'],
  ['cluster repository', `${runtime.clusterRepo} (branch ${runtime.branch})`],
  ...(runtime.hostDescription === undefined
    ? []
    : [['Git host', runtime.hostDescription] as [string, string]]),
  ['feedback endpoint', `${runtime.feedbackUrl} (Flux Provider type generic-hmac)`],
  ['promotion board', `${runtime.boardUrl} (open it in a browser; it refreshes itself)`],
  ['webhook token', `${workdir}/webhook-token (the Provider secret's "token")`],
  ['run log', runtime.runLog],
])}

Try:
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws s3 cp my-chart-1.0.0.tgz s3://${runtime.bucket}/${runtime.prefix} --endpoint-url ${endpoint}
  ./bin/chart-promoter push charts/hello-web --endpoint ${endpoint}
  ./bin/chart-promoter promote hello-web 1.0.0 --to staging --workdir ${workdir}

Waiting for uploads (Ctrl-C to stop)…
`);
    }
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    io.stderr.write('stopping: finishing runs in flight…\n');
    await runtime.close();
    return EXIT.ok;
  },
});

const portOption = (name: string, value: string | undefined): number => {
  const port = value === undefined ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new CliError('USAGE', `${name} must be a port number, got ${value}`);
  }
  return port;
};
