import { resolve } from 'node:path';
import { type CliDependencies, CliError, type Command, EXIT, parseCommandArgs } from '../command';
import { columns } from '../format';
import { startLocalPipeline } from '../local-pipeline';
import { runJson, runLine } from '../run-table';
import { DEFAULT_LOCAL_WORKDIR } from './runs';

const HELP = `Usage: chart-promoter local [--workdir DIR] [--port N] [--json] [--no-render]

Start the embedded pipeline and keep it running: a local S3 endpoint, the promote pipeline (the
same code as the Lambda function) and a local cluster repository. Every chart uploaded under the
prefix is validated and committed as it arrives; one line is printed per run. Ctrl-C stops it.

Options:
${columns([
  [
    '--workdir DIR',
    `where S3 data, the cluster repository and the run log live (default: ${DEFAULT_LOCAL_WORKDIR})`,
  ],
  ['--port N', 'S3 endpoint port (default: a free port)'],
  ['--json', 'first stdout line: {"s3Endpoint","bucket","prefix","clusterRepo"}; then one JSON run per line'],
  ['--no-render', 'skip the helm lint/template check'],
  ['-h, --help', 'show this help'],
])}

Try it (in another terminal):
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws s3 cp my-chart-1.0.0.tgz \\
    s3://charts/incoming/ --endpoint-url http://127.0.0.1:<port>
  chart-promoter push ./my-chart --endpoint http://127.0.0.1:<port>

Exit codes: 0 stopped cleanly, 2 usage or environment error (e.g. the port is taken).
`;

export const localCommand = (deps: CliDependencies): Command => ({
  name: 'local',
  summary: 'run the embedded pipeline and promote uploads as they arrive',
  help: HELP,
  run: async (args, io) => {
    const { values } = parseCommandArgs(
      args,
      {
        workdir: { type: 'string' },
        port: { type: 'string' },
        json: { type: 'boolean' },
        'no-render': { type: 'boolean' },
      },
      { min: 0, max: 0, names: '' },
    );
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new CliError('USAGE', `--port must be a port number, got ${values.port}`);
    }
    const workdir = resolve(values.workdir ?? DEFAULT_LOCAL_WORKDIR);
    const runtime = await startLocalPipeline(deps, {
      workdir,
      port,
      render: !values['no-render'],
      onOutcomes: (outcomes) => {
        for (const outcome of outcomes) {
          io.stdout.write(values.json ? `${JSON.stringify(runJson(outcome))}\n` : `${runLine(outcome)}\n`);
        }
      },
    });
    const { endpoint } = runtime.s3;
    if (values.json) {
      io.stdout.write(
        `${JSON.stringify({ s3Endpoint: endpoint, bucket: runtime.bucket, prefix: runtime.prefix, clusterRepo: runtime.clusterRepo })}\n`,
      );
    } else {
      io.stdout.write(`chart-promoter local: promoting uploads to s3://${runtime.bucket}/${runtime.prefix} into ${runtime.environment}

${columns([
  ['S3 endpoint', endpoint],
  ['bucket', `${runtime.bucket} (prefix ${runtime.prefix})`],
  ['credentials', 'S3RVER / S3RVER'],
  ['cluster repository', `${runtime.clusterRepo} (branch ${runtime.branch})`],
  ['run log', runtime.runLog],
])}

Try:
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws s3 cp my-chart-1.0.0.tgz s3://${runtime.bucket}/${runtime.prefix} --endpoint-url ${endpoint}
  ./bin/chart-promoter push charts/hello-web --endpoint ${endpoint}

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
