import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { packageChart } from '../../functions/adapters/helm-packager';
import { uploadFile } from '../../functions/adapters/s3-uploader';
import {
  type CliDependencies,
  CliError,
  type CliIo,
  type Command,
  EXIT,
  type ExitCode,
  parseCommandArgs,
} from '../command';
import { columns, humanBytes } from '../format';
import { checkBeforeUpload } from '../push/check-before-upload';
import { outcomeJson, outcomeReport } from '../push/outcome-report';
import { isSuccess, type OutcomeSource, type PushedObject } from '../push/outcome-source';
import { progress, progressBar } from '../push/progress';
import { DEFAULT_WAIT_TIMEOUT, uploadClients, uploadTarget } from '../push/upload-target';
import { waitForOutcome } from '../push/wait-for-outcome';
import { refusalsJson, refusedReport } from '../refusal-report';

const HELP = `Usage: chart-promoter push <chart dir | chart.tgz> [--bucket B] [--prefix P] [--endpoint URL]
                           [--wait [--timeout D] [--workdir DIR]] [--no-check] [--json]

Upload a chart to the intake bucket, packaging it first with \`helm package\` when given a
directory. Before uploading, the archive is checked as the pipeline's intake would check it (the
intake limits, safe paths, Chart.yaml, dependencies, values): a refusal costs no upload. The helm
render check runs in the pipeline (\`chart-promoter inspect\` runs it here).

With --wait, push then follows the pipeline's outcome for that object and prints it: promoted with
its commit, or refused with every code and message. It reads the object's outcome tags (deployed, or
\`chart-promoter local\`), or with --workdir the local run log.

Options:
${columns([
  ['--bucket B', 'the intake bucket (default: $CHART_PROMOTER_BUCKET, or "charts" with --endpoint)'],
  ['--prefix P', 'key prefix the pipeline watches (default: incoming/)'],
  [
    '--endpoint URL',
    'an S3-compatible endpoint, e.g. the one `chart-promoter local` prints (uses its S3RVER credentials)',
  ],
  ['--wait', "wait for the pipeline's outcome; exit 0 promoted (or already there), 1 otherwise"],
  ['--timeout D', `how long --wait waits: 30s, 10m, 1h (default: ${DEFAULT_WAIT_TIMEOUT})`],
  [
    '--workdir DIR',
    "with --wait: read the outcome from the run log of `chart-promoter local --workdir DIR` instead of the object's tags",
  ],
  ['--no-check', 'upload without the intake checks (e.g. a stack deployed with other limits)'],
  [
    '--json',
    'print {ok, uri, bucket, key, bytes, versionId?, chart?, outcome?, errors?} as one JSON document',
  ],
  ['-h, --help', 'show this help'],
])}

Progress (upload, waiting) is drawn on stderr only when it is a terminal; otherwise push writes one
plain line per step, and none with --json.

Without --endpoint the AWS SDK's usual credentials and region apply (AWS_PROFILE, AWS_REGION, …);
--wait needs s3:GetObjectTagging (and s3:GetObjectVersionTagging on a versioned bucket). The tags
hold every refusal code but only the first message (cut at 256 characters); \`chart-promoter runs\`
has them all.

Examples:
  chart-promoter push charts/hello-web --endpoint http://127.0.0.1:4568 --wait
  chart-promoter push podinfo-6.14.1.tgz --bucket my-intake-bucket --wait --timeout 5m
  chart-promoter push charts/hello-web --endpoint http://127.0.0.1:4568 --wait --workdir .chart-promoter

Exit codes:
${columns([
  ['0', 'uploaded; with --wait: promoted, or already there (unchanged)'],
  [
    '1',
    'refused before the upload (nothing uploaded), the upload or packaging failed; with --wait: refused, superseded, failed, or no outcome within --timeout ("no outcome … after")',
  ],
  ['2', 'usage or environment error (no such file, no credentials, no access to the tags)'],
])}
`;

const OPTIONS = {
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  endpoint: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  workdir: { type: 'string' },
  'no-check': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const pushCommand = (deps: CliDependencies): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, {
      min: 1,
      max: 1,
      names: '<chart dir | chart.tgz>',
    });
    const input = positionals[0]!;
    const json = values.json === true;
    const target = await uploadTarget(values, deps.defaultBucket);
    const { bucket } = target;
    const prefix = values.prefix ?? 'incoming/';
    const info = await stat(input).catch(() => {
      throw new CliError('FILE_NOT_FOUND', `no such file or directory: ${input}`);
    });
    const say = (line: string) => {
      if (!json) io.stderr.write(`${line}\n`);
    };
    const scratch = info.isDirectory() ? await mkdtemp(join(tmpdir(), 'chart-promoter-push-')) : undefined;
    try {
      const archive = scratch ? await packageChart(await deps.helmPath(), input, scratch) : input;
      if (scratch) say(`packaged ${input} → ${basename(archive)}`);
      const key = `${prefix}${basename(archive)}`;
      const uri = `s3://${bucket}/${key}`;
      let chart: { name: string; version: string } | undefined;
      if (!values['no-check']) {
        const check = await checkBeforeUpload(archive, { key, prefix });
        if (!check.ok) {
          if (json)
            io.stdout.write(
              `${JSON.stringify({ ok: false, uploaded: false, uri, errors: refusalsJson(check.refusals) })}\n`,
            );
          else io.stdout.write(refusedReport(basename(archive), check.refusals));
          io.stderr.write(`nothing uploaded: the pipeline would refuse it (--no-check uploads anyway)\n`);
          return EXIT.failed;
        }
        chart = check.chart;
        say(`checked ${chart.name} ${chart.version}: passes intake's checks (helm runs in the pipeline)`);
      }
      const { client, source } = uploadClients(target);
      await source?.mark({ bucket, key });
      const size = (await stat(archive)).size;
      const bar = progress(io, `uploading ${basename(archive)} (${humanBytes(size)}) to ${uri}`, {
        quiet: json,
      });
      const uploaded = await uploadFile(client, archive, { bucket, key }, ({ loaded, total }) =>
        bar.update(progressBar(loaded, total)),
      ).finally(() => bar.done());
      const document = {
        uri,
        bucket,
        key,
        bytes: uploaded.bytes,
        ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}),
        ...(chart ? { chart } : {}),
      };
      if (!json) io.stdout.write(`uploaded ${uri} (${humanBytes(uploaded.bytes)})\n`);
      if (!source) {
        if (json) io.stdout.write(`${JSON.stringify({ ok: true, ...document })}\n`);
        else io.stdout.write(NEXT);
        return EXIT.ok;
      }
      const object: PushedObject = {
        bucket,
        key,
        ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}),
      };
      return await follow(io, source, object, {
        timeoutMs: target.timeoutMs,
        json,
        document,
        timeout: target.timeout,
      });
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  },
});

const NEXT = `Next: the pipeline validates the chart and commits it to the cluster repository. Follow it with
\`chart-promoter push --wait\` next time, \`chart-promoter runs\` (local) or the CloudWatch dashboard;
the object gets tagged chart-promoter/status=promoted|refused when done.
`;

/**
 * Waits for the outcome and reports it: exit 0 promoted, proposed or unchanged, 1 anything else or no
 * outcome. Shared with `values set --wait`.
 */
export const follow = async (
  io: CliIo,
  source: OutcomeSource,
  object: PushedObject,
  options: {
    readonly timeoutMs: number;
    readonly timeout: string;
    readonly json: boolean;
    readonly document: Record<string, unknown>;
  },
): Promise<ExitCode> => {
  const uri = `s3://${object.bucket}/${object.key}`;
  const uploadedAt = new Date();
  const waiting = progress(
    io,
    `waiting for the pipeline's outcome in ${source.describe} (up to ${options.timeout})…`,
    {
      quiet: options.json,
    },
  );
  const result = await waitForOutcome(source, object, {
    timeoutMs: options.timeoutMs,
    onPending: (elapsedMs) =>
      waiting.update(`waiting for the pipeline's outcome of ${uri}: ${Math.round(elapsedMs / 1000)}s`),
  }).finally(() => waiting.done());
  if ('timedOut' in result) {
    const problem = source.lastProblem?.();
    const message =
      `no outcome for ${uri} after ${options.timeout}: it was uploaded at ${uploadedAt.toISOString()}, and ` +
      `${source.describe} ${problem ? `could not be read (${problem})` : 'has no outcome for it yet'}. The pipeline ` +
      'may still be working on it, retrying it, or not running; see `chart-promoter runs`, the dashboard or the dead-letter queue.';
    if (options.json)
      io.stdout.write(
        `${JSON.stringify({ ok: false, ...options.document, outcome: null, errors: [{ code: 'WAIT_TIMEOUT', message }] })}\n`,
      );
    io.stderr.write(`chart-promoter: ${message}\n`);
    return EXIT.failed;
  }
  const ok = isSuccess(result.outcome);
  if (options.json)
    io.stdout.write(`${JSON.stringify({ ok, ...options.document, outcome: outcomeJson(result.outcome) })}\n`);
  else io.stdout.write(outcomeReport(result.outcome, object));
  return ok ? EXIT.ok : EXIT.failed;
};
