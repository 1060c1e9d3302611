import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { packageChart } from '../../functions/adapters/helm-packager';
import { uploadFile } from '../../functions/adapters/s3-uploader';
import { localS3Client } from '../../functions/local/s3-endpoint';
import { type CliDependencies, CliError, type Command, EXIT, parseCommandArgs } from '../command';
import { columns, humanBytes } from '../format';

const HELP = `Usage: chart-promoter push <chart dir | chart.tgz> [--bucket B] [--prefix P] [--endpoint URL] [--json]

Upload a chart to the intake bucket, packaging it first with \`helm package\` when given a
directory. The pipeline then validates it and commits it to the cluster repository.

Options:
${columns([
  ['--bucket B', 'the intake bucket (default: $CHART_PROMOTER_BUCKET, or "charts" with --endpoint)'],
  ['--prefix P', 'key prefix the pipeline watches (default: incoming/)'],
  [
    '--endpoint URL',
    'an S3-compatible endpoint, e.g. the one `chart-promoter local` prints (uses its S3RVER credentials)',
  ],
  ['--json', 'print {uri, bucket, key, bytes, versionId?} as one JSON document'],
  ['-h, --help', 'show this help'],
])}

Without --endpoint the AWS SDK's usual credentials and region apply (AWS_PROFILE, AWS_REGION, …).

Examples:
  chart-promoter push charts/hello-web --endpoint http://127.0.0.1:4568
  chart-promoter push podinfo-6.14.1.tgz --bucket my-intake-bucket

Exit codes: 0 uploaded, 1 upload or packaging failed, 2 usage or environment error.
`;

const progressBar = (loaded: number, total: number): string => {
  const width = 30;
  const filled = total > 0 ? Math.round((loaded / total) * width) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${humanBytes(loaded)} / ${humanBytes(total)}`;
};

export const pushCommand = (deps: CliDependencies): Command => ({
  name: 'push',
  summary: 'package (if needed) and upload a chart to the intake bucket',
  help: HELP,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        bucket: { type: 'string' },
        prefix: { type: 'string' },
        endpoint: { type: 'string' },
        json: { type: 'boolean' },
      },
      { min: 1, max: 1, names: '<chart dir | chart.tgz>' },
    );
    const input = positionals[0]!;
    const bucket = values.bucket ?? deps.defaultBucket ?? (values.endpoint ? 'charts' : undefined);
    if (!bucket) throw new CliError('USAGE', 'no bucket: pass --bucket or set CHART_PROMOTER_BUCKET');
    const prefix = values.prefix ?? 'incoming/';
    const info = await stat(input).catch(() => {
      throw new CliError('FILE_NOT_FOUND', `no such file or directory: ${input}`);
    });
    const scratch = info.isDirectory() ? await mkdtemp(join(tmpdir(), 'chart-promoter-push-')) : undefined;
    try {
      const archive = scratch ? await packageChart(await deps.helmPath(), input, scratch) : input;
      if (scratch && !values.json) io.stderr.write(`packaged ${input} → ${basename(archive)}\n`);
      const client = values.endpoint ? localS3Client(values.endpoint) : new S3Client({});
      const key = `${prefix}${basename(archive)}`;
      const uploaded = await uploadFile(client, archive, { bucket, key }, ({ loaded, total }) => {
        if (!values.json) io.stderr.write(`\r${progressBar(loaded, total)}`);
      });
      const uri = `s3://${bucket}/${key}`;
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ uri, bucket, key, bytes: uploaded.bytes, ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}) })}\n`,
        );
      } else {
        io.stderr.write('\n');
        io.stdout.write(`uploaded ${uri} (${humanBytes(uploaded.bytes)})
Next: the pipeline validates the chart and commits it to the cluster repository. Follow it with
\`chart-promoter runs\` (local) or the CloudWatch dashboard; the object gets tagged
chart-promoter/status=promoted|refused when done.
`);
      }
      return EXIT.ok;
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  },
});
