import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { uploadFile } from '../../functions/adapters/s3-uploader';
import { isPromoterError } from '../../functions/errors';
import { configKey, DEFAULT_CONFIG_PREFIX, parseConfigKey } from '../../functions/events';
import { planLocalValuesChange } from '../../functions/local/local-values-diff';
import type { ValuesPlan } from '../../functions/promotion/values/plan-values-change';
import { valuesRunId } from '../../functions/promotion/values/values-change';
import { checkValuesFile } from '../../functions/promotion/values/values-document';
import { renderedSection, valuesDiffText } from '../../functions/promotion/values/values-pull-request';
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
import { DEFAULT_WAIT_TIMEOUT, uploadClients, uploadTarget } from '../push/upload-target';
import { refusalsJson, refusedReport } from '../refusal-report';
import { follow } from './push';
import { DEFAULT_LOCAL_WORKDIR } from './runs';

const HELP = `Usage: chart-promoter values set <chart> --env <env> -f values.yaml [--bucket B] [--config-prefix P]
                                [--endpoint URL] [--wait [--timeout D] [--workdir DIR]] [--json]
       chart-promoter values diff <chart> --env <env> -f values.yaml [--workdir DIR] [--no-render] [--json]

Change the values of a chart in one environment through the pipeline: the file becomes the
HelmRelease's spec.values in environments/<env>/<chart>.yaml, checked first against the chart version
the environment runs (the chart's values.schema.json, \`helm template\` with the values Flux would
compose), then committed (direct environments) or proposed as a pull request with the values diff
(\`mode: pull-request\`), and followed to convergence like a chart move.

  set   uploads the file to <config prefix><env>/<chart>.values.yaml (default prefix: config/), the
        key the pipeline watches; a file that is not a YAML map, over 512 KiB, or with values that look
        like credentials is refused before the upload. With --wait it then follows the outcome as
        \`push --wait\` does.
  diff  shows what the change would do in the cluster repository of a local work dir, without
        committing anything: the spec.values diff and which rendered objects change.

Options:
${columns([
  ['--env ENV', 'the environment (required)'],
  ['-f, --file FILE', 'the values file (required)'],
  ['--bucket B', 'set: the intake bucket (default: $CHART_PROMOTER_BUCKET, or "charts" with --endpoint)'],
  ['--config-prefix P', `set: key prefix of values uploads (default: ${DEFAULT_CONFIG_PREFIX})`],
  ['--endpoint URL', 'set: an S3-compatible endpoint, e.g. the one `chart-promoter local` prints'],
  ['--wait', "set: wait for the pipeline's outcome; exit 0 committed, proposed or unchanged"],
  ['--timeout D', `set: how long --wait waits: 30s, 10m, 1h (default: ${DEFAULT_WAIT_TIMEOUT})`],
  [
    '--workdir DIR',
    `set --wait: read the outcome from the local run log; diff: the local work dir (default: ${DEFAULT_LOCAL_WORKDIR})`,
  ],
  ['--no-render', 'diff: skip helm template (schema check only, rendered change not shown)'],
  ['--json', 'print one JSON document'],
  ['-h, --help', 'show this help'],
])}

Examples:
  chart-promoter values set hello-web --env staging -f staging.yaml --endpoint http://127.0.0.1:4568 --wait
  chart-promoter values set hello-web --env prod -f prod.yaml --bucket my-intake-bucket --wait
  chart-promoter values diff hello-web --env staging -f staging.yaml --workdir ./demo-state

Exit codes:
${columns([
  ['0', 'set: uploaded; with --wait: committed, proposed or unchanged. diff: shown (or nothing to change)'],
  ['1', "refused (before the upload, by the pipeline, or by diff's checks), or no outcome within --timeout"],
  ['2', 'usage or environment error (no such file, no cluster repository, no credentials)'],
])}
`;

const OPTIONS = {
  env: { type: 'string' },
  file: { type: 'string', short: 'f' },
  bucket: { type: 'string' },
  'config-prefix': { type: 'string' },
  endpoint: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  workdir: { type: 'string' },
  'no-render': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Parsed = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

const SET_ONLY = ['bucket', 'config-prefix', 'endpoint', 'wait', 'timeout'] as const;

/** The file, read and checked as the pipeline will check it; refusals are printed (exit 1). */
const readValuesFile = async (file: string) => {
  const bytes = await readFile(file).catch(() => {
    throw new CliError('FILE_NOT_FOUND', `no such file: ${file}`);
  });
  return { bytes: new Uint8Array(bytes), check: checkValuesFile(new Uint8Array(bytes), basename(file)) };
};

const refused = (
  io: CliIo,
  json: boolean,
  subject: string,
  refusal: { code: string; message: string },
  extra = {},
) => {
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, ...extra, errors: refusalsJson([refusal]) })}\n`);
  else io.stdout.write(refusedReport(subject, [refusal]));
  return EXIT.failed;
};

const runSet = async (
  deps: CliDependencies,
  io: CliIo,
  chart: string,
  environment: string,
  file: string,
  values: Parsed,
): Promise<ExitCode> => {
  if (values['no-render']) throw new CliError('USAGE', '--no-render goes with values diff');
  const json = values.json === true;
  const upload = await uploadTarget(values, deps.defaultBucket);
  const { bucket } = upload;
  const prefix = values['config-prefix'] ?? DEFAULT_CONFIG_PREFIX;
  if (!prefix.endsWith('/')) throw new CliError('USAGE', `--config-prefix must end with "/": ${prefix}`);
  const key = configKey(prefix, environment, chart);
  const uri = `s3://${bucket}/${key}`;
  const subject = `values of ${chart} for ${environment}`;
  const target = parseConfigKey(key, prefix);
  if (!target.ok) return refused(io, json, subject, target, { uploaded: false, uri });
  const { bytes, check } = await readValuesFile(file);
  if (!check.ok) {
    const code = refused(io, json, subject, check, { uploaded: false, uri });
    io.stderr.write('nothing uploaded: the pipeline would refuse it\n');
    return code;
  }
  const { client, source } = uploadClients(upload);
  await source?.mark({ bucket, key });
  const uploaded = await uploadFile(client, file, { bucket, key }, () => {});
  const document = {
    uri,
    bucket,
    key,
    bytes: uploaded.bytes,
    ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}),
    chart,
    environment,
  };
  if (!json) io.stdout.write(`uploaded ${uri} (${humanBytes(bytes.byteLength)})\n`);
  if (!source) {
    if (json) io.stdout.write(`${JSON.stringify({ ok: true, ...document })}\n`);
    return EXIT.ok;
  }
  return follow(
    io,
    source,
    { bucket, key, ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}) },
    { timeoutMs: upload.timeoutMs, json, document, timeout: upload.timeout },
  );
};

type Planned = Extract<ValuesPlan, { status: 'planned' }>;

const diffText = (chart: string, environment: string, plan: Planned): string => {
  const diff = valuesDiffText(plan.valuesText.before, plan.valuesText.after);
  return [
    `values of ${chart} in ${environment} (chart version ${plan.chartVersion}, ${plan.environment.mode === 'pull-request' ? 'would open a pull request' : 'would be committed'}):`,
    '',
    diff ?? 'spec.values changes (too large to show)',
    '',
    renderedSection(plan).replace(/`/g, ''),
    '',
  ].join('\n');
};

const runDiff = async (
  deps: CliDependencies,
  io: CliIo,
  chart: string,
  environment: string,
  file: string,
  values: Parsed,
): Promise<ExitCode> => {
  const used = SET_ONLY.filter((option) => values[option] !== undefined);
  if (used.length > 0) throw new CliError('USAGE', `--${used[0]} goes with values set`);
  const json = values.json === true;
  const subject = `values of ${chart} for ${environment}`;
  const { check } = await readValuesFile(file);
  if (!check.ok) return refused(io, json, subject, check);
  const workdir = resolve(values.workdir ?? DEFAULT_LOCAL_WORKDIR);
  let result: Awaited<ReturnType<typeof planLocalValuesChange>>;
  try {
    result = await planLocalValuesChange(
      { kind: 'set', chart, environment, values: check.document, runId: valuesRunId('diff') },
      { workdir, ...(values['no-render'] ? {} : { renderer: await deps.releaseRenderer() }) },
    );
  } catch (error) {
    if (isPromoterError(error) && error.code === 'CLUSTER_REPOSITORY_MISSING')
      throw new CliError(error.code, error.message);
    throw error;
  }
  const { plan } = result;
  if (plan.status === 'refused') return refused(io, json, subject, plan);
  if (plan.status === 'unchanged') {
    if (json)
      io.stdout.write(
        `${JSON.stringify({ ok: true, status: 'unchanged', chart, environment, version: plan.chartVersion, message: plan.reason })}\n`,
      );
    else io.stdout.write(`unchanged: ${plan.reason} (nothing would be committed)\n`);
    return EXIT.ok;
  }
  if (json) {
    io.stdout.write(
      `${JSON.stringify({
        ok: true,
        status: 'changed',
        chart,
        environment,
        version: plan.chartVersion,
        mode: plan.environment.mode,
        diff: valuesDiffText(plan.valuesText.before, plan.valuesText.after) ?? null,
        rendered: plan.rendered ?? null,
        ...(plan.renderNote ? { renderNote: plan.renderNote } : {}),
      })}\n`,
    );
  } else io.stdout.write(diffText(chart, environment, plan));
  return EXIT.ok;
};

export const valuesCommand = (deps: CliDependencies): Command => ({
  help: HELP,
  run: async (args, io) => {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, {
      min: 2,
      max: 2,
      names: '<set|diff> <chart>',
    });
    const [action, chart] = positionals as [string, string];
    if (action !== 'set' && action !== 'diff')
      throw new CliError('USAGE', `unknown values action '${action}': set or diff`);
    if (values.env === undefined) throw new CliError('USAGE', 'missing option: --env <env>');
    if (values.file === undefined) throw new CliError('USAGE', 'missing option: -f <values.yaml>');
    return action === 'set'
      ? runSet(deps, io, chart, values.env, values.file, values)
      : runDiff(deps, io, chart, values.env, values.file, values);
  },
});
