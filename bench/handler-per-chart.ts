/**
 * Handler time per chart: handleSqsBatch (the promote function's whole pipeline: read the object from
 * S3, intake, helm lint + template, plan, commit, tag, log) on a one-record batch per shared fixture,
 * against s3rver and a local bare repository. Each timed run commits into a fresh repository, so every
 * accepted chart is really promoted (never "unchanged"). Also without the render check, to show
 * what helm costs.
 *
 *   npx tsx bench/handler-per-chart.ts [--runs N] [--json]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { HelmChartRenderer } from '../functions/adapters/helm-chart-renderer';
import { layerBinaryPath } from '../functions/adapters/layer-binaries';
import { S3ObjectStore } from '../functions/adapters/s3-object-store';
import { DEFAULT_INTAKE_LIMITS } from '../functions/chart/chart';
import { ensureClusterRepository } from '../functions/local/cluster-repository';
import { redirectLoggerOutput } from '../functions/local/powertools-output';
import { RecordedMetrics } from '../functions/local/recorded-metrics';
import { startS3Endpoint } from '../functions/local/s3-endpoint';
import { toSqsRecord } from '../functions/local/s3-event-bridge';
import { handleSqsBatch } from '../functions/pipeline/handle-sqs-batch';
import type { PipelineSettings } from '../functions/pipeline/pipeline-context';
import type { ChartRenderer } from '../functions/ports/chart-renderer';
import { systemClock } from '../functions/ports/clock';

const repoRoot = resolve(import.meta.dirname, '..');
const fixtures = resolve(repoRoot, 'test/fixtures/charts');
const BUCKET = 'charts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean' } },
});
const runs = Number(values.runs);

const median = (samples: number[]): number =>
  [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;

const settings: PipelineSettings = {
  branch: 'main',
  bucketPrefix: 'incoming/',
  targetEnvironment: 'dev',
  limits: DEFAULT_INTAKE_LIMITS,
  plan: {},
};

const dir = await mkdtemp(join(tmpdir(), 'bench-handler-'));
const s3 = await startS3Endpoint({ directory: join(dir, 's3'), bucket: BUCKET });
const renderer = new HelmChartRenderer({ helmPath: await layerBinaryPath('helm') });
const logger = redirectLoggerOutput(
  new Logger({ serviceName: 'chart-promoter', logLevel: 'INFO' }),
  new Writable({ write: (_chunk, _encoding, done) => done() }),
);

/** One timed handler run for `file` into a fresh repository; returns [ms, status]. */
const once = async (file: string, bytes: Uint8Array, render: ChartRenderer | undefined) => {
  const key = `incoming/${randomUUID()}/${file}`;
  const put = await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }));
  const record = toSqsRecord({
    eventName: 'ObjectCreated:Put',
    eventTime: new Date().toISOString(),
    bucket: BUCKET,
    key,
    size: bytes.byteLength,
    eTag: (put.ETag ?? '').replace(/"/g, ''),
  });
  const host = await ensureClusterRepository(join(dir, `${randomUUID()}.git`), 'main');
  const deps = {
    store: new S3ObjectStore({ client: s3.client }),
    host,
    ...(render ? { renderer: render } : {}),
    clock: systemClock,
    logger,
    metrics: new RecordedMetrics(),
    newRunId: randomUUID,
  };
  const started = performance.now();
  const { outcomes } = await handleSqsBatch({ Records: [record] }, deps, settings);
  return [performance.now() - started, outcomes[0]?.status ?? 'none'] as const;
};

const rows: { chart: string; kib: number; status: string; renderMs: number; staticMs: number }[] = [];
try {
  const files = (await readdir(fixtures)).filter((f) => f.endsWith('.tgz')).sort();
  for (const file of files) {
    const bytes = await readFile(join(fixtures, file));
    await once(file, bytes, renderer); // warm: page cache, helm binary, module caches
    const rendered: number[] = [];
    const plain: number[] = [];
    let status = '';
    for (let i = 0; i < runs; i++) {
      const [ms, s] = await once(file, bytes, renderer);
      rendered.push(ms);
      status = s;
      plain.push((await once(file, bytes, undefined))[0]);
    }
    rows.push({
      chart: file,
      kib: Math.round(bytes.byteLength / 1024),
      status,
      renderMs: Math.round(median(rendered)),
      staticMs: Math.round(median(plain)),
    });
  }
} finally {
  await s3.close();
  await rm(dir, { recursive: true, force: true });
}

if (values.json) {
  console.log(JSON.stringify({ runs, rows }));
} else {
  console.log(`handleSqsBatch, one chart per batch, median of ${runs} (s3rver + local bare repository)\n`);
  console.log(
    `${'chart'.padEnd(40)} ${'KiB'.padStart(5)}  ${'status'.padEnd(9)} ${'with helm'.padStart(10)} ${'static only'.padStart(12)}`,
  );
  for (const row of rows) {
    console.log(
      `${row.chart.padEnd(40)} ${String(row.kib).padStart(5)}  ${row.status.padEnd(9)} ${`${row.renderMs} ms`.padStart(10)} ${`${row.staticMs} ms`.padStart(12)}`,
    );
  }
}
