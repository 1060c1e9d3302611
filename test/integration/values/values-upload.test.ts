import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliDependencies } from '../../../cli/command';
import { listedCommand } from '../../../cli/command';
import { valuesCommand } from '../../../cli/commands/values';
import { runCli } from '../../../cli/main';
import type { HelmChartRenderer } from '../../../functions/adapters/helm-chart-renderer';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import { readRuns } from '../../../functions/local/run-log';
import { MAX_VALUES_BYTES } from '../../../functions/promotion/values/values-document';
import { runGit } from '../../support/bare-repo';
import { captureIo } from '../../support/cli-capture';
import { outcomeCollector } from '../../support/outcome-collector';
import { buildChart } from '../../support/tar-fixtures';
import { helmRenderer } from '../../support/values-fixtures';

/**
 * Configuration uploads through the whole local pipeline (s3rver, the S3 event bridge, the queue, the
 * promote handler, a bare cluster repository, the real helm): `config/<env>/<chart>.values.yaml`
 * becomes a commit of the release's `spec.values`, tagged, logged and listed like a chart upload;
 * a key outside the layout, a file that is not a YAML map, or one over 512 KiB is refused with its
 * code, and the object carries the refusal in its tags.
 */
const SCHEMA = JSON.stringify({
  type: 'object',
  properties: { replicaCount: { type: 'integer', minimum: 0 } },
});

describe('values uploads under config/ (local runtime, real helm)', () => {
  let workdir: string;
  let runtime: LocalRuntime;
  let renderer: HelmChartRenderer;
  const collector = outcomeCollector();
  const git = (...args: string[]) => runGit(runtime.clusterRepo, ['--git-dir', runtime.clusterRepo, ...args]);
  const put = (key: string, body: string | Uint8Array) =>
    runtime.s3.client.send(new PutObjectCommand({ Bucket: runtime.bucket, Key: key, Body: body }));
  const tagsOf = async (key: string) => {
    const { TagSet = [] } = await runtime.s3.client.send(
      new GetObjectTaggingCommand({ Bucket: runtime.bucket, Key: key }),
    );
    return Object.fromEntries(TagSet.map((tag) => [tag.Key, tag.Value]));
  };

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'values-upload-'));
    renderer = await helmRenderer();
    runtime = await startLocalRuntime({
      workdir,
      renderer,
      releaseRenderer: renderer,
      onOutcomes: collector.onOutcomes,
      queue: { batchingWindowMs: 100 },
    });
    await put(
      `${runtime.prefix}vu-web-1.0.0.tgz`,
      await buildChart('vu-web', '1.0.0', { 'values.schema.json': SCHEMA }),
    );
    const [chart] = await collector.next(1, 120_000);
    expect(chart).toMatchObject({ status: 'promoted', environment: 'dev' });
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('commits config/dev/vu-web.values.yaml as the release spec.values, and tags and logs it as a values change', async () => {
    // Prepare
    const before = await git('rev-parse', runtime.branch);
    const key = `${runtime.configPrefix}dev/vu-web.values.yaml`;

    // Act
    const started = performance.now();
    await put(key, '# CI: new image\nimage:\n  tag: "1.28"\n');
    const [outcome] = await collector.next(1, 120_000);
    console.info(`values upload → commit (local runtime): ${Math.round(performance.now() - started)} ms`);

    // Assess
    expect(outcome).toMatchObject({
      status: 'promoted',
      change: 'values',
      chart: 'vu-web',
      version: '1.0.0',
      environment: 'dev',
    });
    const head = await git('rev-parse', runtime.branch);
    expect(outcome?.commit).toBe(head);
    expect(await git('rev-parse', `${head}^`)).toBe(before);
    const release = await git('show', `${head}:environments/dev/vu-web.yaml`);
    expect(release).toMatch(/ {2}values:\n {4}# CI: new image\n {4}image:\n {6}tag: "1\.28"/);
    expect(release).toContain(`event.toolkit.fluxcd.io/run-id: ${outcome?.runId}`);
    expect(outcome?.runId).toMatch(/^values-/);
    expect(await git('log', '-1', '--format=%B', head)).toContain(
      `Chart-Promoter-Source: s3://${runtime.bucket}/config/dev/vu-web.values.yaml`,
    );
    expect(await tagsOf(key)).toMatchObject({
      'chart-promoter/status': 'promoted',
      'chart-promoter/change': 'values',
      'chart-promoter/commit': head,
    });
    const runs = await readRuns(runtime.runLog);
    expect(runs.at(-1)).toMatchObject({ status: 'promoted', change: 'values', chart: 'vu-web' });
    expect(runtime.metrics.total('ValuesChanged')).toBe(1);
  });

  it.each([
    ['VALUES_KEY_INVALID', 'config/dev/team/vu-web.values.yaml', 'replicaCount: 2\n'],
    ['VALUES_KEY_INVALID', 'config/Dev/vu-web.values.yaml', 'replicaCount: 2\n'],
    ['VALUES_INVALID', 'config/dev/vu-web.values.yaml', '- a list\n- not a map\n'],
    ['VALUES_INVALID', 'config/dev/vu-web.values.yaml', 'image: [unclosed\n'],
    ['VALUES_TOO_LARGE', 'config/dev/vu-web.values.yaml', `big: "${'x'.repeat(MAX_VALUES_BYTES)}"\n`],
    ['VALUES_SCHEMA_VIOLATION', 'config/dev/vu-web.values.yaml', 'replicaCount: many\n'],
  ])('refuses %s for %s, tags the object and commits nothing', async (code, key, body) => {
    // Prepare
    const before = await git('rev-parse', runtime.branch);

    // Act
    await put(key, body);
    const [outcome] = await collector.next(1, 120_000);

    // Assess
    expect(outcome).toMatchObject({ status: 'refused', change: 'values', code });
    expect(await tagsOf(key)).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': code,
    });
    expect(await git('rev-parse', runtime.branch)).toBe(before);
  });
});

describe('chart-promoter values set | diff (against the same local runtime)', () => {
  let workdir: string;
  let runtime: LocalRuntime;
  const collector = outcomeCollector();
  const git = (...args: string[]) => runGit(runtime.clusterRepo, ['--git-dir', runtime.clusterRepo, ...args]);
  const unused = () => {
    throw new Error('not used by values');
  };
  const cli = async (args: readonly string[]) => {
    const renderer = await helmRenderer();
    const deps = {
      version: 'test',
      renderer: unused,
      releaseRenderer: async () => renderer,
      helmPath: unused,
      sampleChartsDir: '/nowhere',
      lambda: unused,
      logs: unused,
      dynamodb: unused,
    } as CliDependencies;
    const io = captureIo();
    const code = await runCli(['values', ...args], io, {
      version: 'test',
      commands: [listedCommand('values', valuesCommand(deps))],
    });
    return { code, out: io.out(), err: io.err() };
  };
  const file = async (name: string, text: string) => {
    const at = path.join(workdir, name);
    await writeFile(at, text);
    return at;
  };

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'values-cli-'));
    const renderer = await helmRenderer();
    runtime = await startLocalRuntime({
      workdir,
      renderer,
      releaseRenderer: renderer,
      onOutcomes: collector.onOutcomes,
      queue: { batchingWindowMs: 100 },
    });
    await runtime.s3.client.send(
      new PutObjectCommand({
        Bucket: runtime.bucket,
        Key: `${runtime.prefix}vc-web-1.0.0.tgz`,
        Body: await buildChart('vc-web', '1.0.0', { 'values.schema.json': SCHEMA }),
      }),
    );
    expect((await collector.next(1, 120_000))[0]).toMatchObject({ status: 'promoted' });
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('diff shows the spec.values diff and the rendered change, committing nothing', async () => {
    // Prepare
    const before = await git('rev-parse', runtime.branch);
    const values = await file('dev.yaml', 'replicaCount: 4\n');

    // Act
    const { code, out } = await cli(['diff', 'vc-web', '--env', 'dev', '-f', values, '--workdir', workdir]);

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('values of vc-web in dev (chart version 1.0.0, would be committed)');
    expect(out).toMatch(/^\+\s+replicaCount: 4$/m);
    expect(out).toContain('The rendered manifests change');
    expect(out).toContain('ConfigMap dev/vc-web');
    expect(await git('rev-parse', runtime.branch)).toBe(before);
  });

  it('set --wait uploads to config/<env>/<chart>.values.yaml and reports the commit', async () => {
    // Prepare
    const values = await file('dev-set.yaml', 'replicaCount: 5\n');

    // Act
    const { code, out } = await cli([
      'set',
      'vc-web',
      '--env',
      'dev',
      '-f',
      values,
      '--endpoint',
      runtime.s3.endpoint,
      '--bucket',
      runtime.bucket,
      '--wait',
      '--workdir',
      workdir,
    ]);

    // Assess
    const head = await git('rev-parse', runtime.branch);
    expect(code).toBe(0);
    expect(out).toContain(`uploaded s3://${runtime.bucket}/config/dev/vc-web.values.yaml`);
    expect(out).toContain(`promoted values of vc-web 1.0.0 to dev: commit ${head}`);
    expect(await git('show', `${head}:environments/dev/vc-web.yaml`)).toMatch(
      / {2}values:\n {4}replicaCount: 5/,
    );
  });

  it('set refuses values that look like credentials before uploading anything (exit 1)', async () => {
    // Prepare
    const values = await file('secret.yaml', 'db:\n  password: hunter2\n');

    // Act
    const { code, out, err } = await cli([
      'set',
      'vc-web',
      '--env',
      'staging',
      '-f',
      values,
      '--endpoint',
      runtime.s3.endpoint,
      '--bucket',
      runtime.bucket,
    ]);

    // Assess
    expect(code).toBe(1);
    expect(out).toContain('VALUES_SECRET_SUSPECTED');
    expect(out).not.toContain('hunter2');
    expect(err).toContain('nothing uploaded');
    await expect(
      runtime.s3.client.send(
        new HeadObjectCommand({ Bucket: runtime.bucket, Key: 'config/staging/vc-web.values.yaml' }),
      ),
    ).rejects.toThrow();
  });

  it("diff refuses with the pipeline's code (exit 1): an environment the policy does not have", async () => {
    const values = await file('qa.yaml', 'replicaCount: 1\n');
    const { code, out } = await cli(['diff', 'vc-web', '--env', 'qa', '-f', values, '--workdir', workdir]);
    expect(code).toBe(1);
    expect(out).toContain('ENVIRONMENT_UNKNOWN');
  });

  it.each([
    [['set', 'vc-web', '-f', 'x.yaml'], /missing option: --env/],
    [['set', 'vc-web', '--env', 'dev'], /missing option: -f/],
    [['apply', 'vc-web', '--env', 'dev', '-f', 'x.yaml'], /unknown values action 'apply'/],
    [['diff', 'vc-web', '--env', 'dev', '-f', 'x.yaml', '--wait'], /--wait goes with values set/],
    [
      ['set', 'vc-web', '--env', 'dev', '-f', 'x.yaml', '--bucket', 'b', '--no-render'],
      /--no-render goes with values diff/,
    ],
    [['set', 'vc-web', '--env', 'dev', '-f', '/no/such.yaml', '--bucket', 'b'], /no such file/],
  ])('refuses %j as a usage or environment error (exit 2)', async (args, message) => {
    const { code, err } = await cli(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('--help shows both actions with examples', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('chart-promoter values set <chart> --env <env> -f values.yaml');
    expect(out).toContain('chart-promoter values diff <chart>');
  });
});
