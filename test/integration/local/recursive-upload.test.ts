import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedToolEnv, runFile } from '../../../functions/adapters/exec-file';
import { packageChart } from '../../../functions/adapters/helm-packager';
import { layerBinaryPath } from '../../../functions/adapters/layer-binaries';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import { readRuns } from '../../../functions/local/run-log';
import { mapLimit } from '../../../functions/pipeline/map-limit';
import { runGit } from '../../support/bare-repo';
import { scaledTimeout } from '../../support/machine-speed';
import { outcomeCollector } from '../../support/outcome-collector';

/*
 * A chart directory uploaded as users do: `helm create`, dependencies in Chart.yaml, `helm dependency
 * build` (the real helm: it vendors them into charts/ as .tgz), then every file uploaded under
 * incoming/<name>/ with the keys `aws s3 cp <dir> s3://…/incoming/<name>/ --recursive` gives them.
 * The AWS CLI walks the directory in byte order of the relative path (a folder sorts as "<name>/"),
 * keeps dotfiles, and uploads ten files at a time (awscli/customizations/s3/filegenerator.py
 * `list_files`; `max_concurrent_requests` defaults to 10 in awscli/customizations/s3/transferconfig.py):
 * https://github.com/aws/aws-cli/blob/develop/awscli/customizations/s3/filegenerator.py
 */

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const AWS_CLI_CONCURRENCY = 10;

/** The files of `dir` in the order and with the relative keys `aws s3 cp --recursive` uses. */
const awsCliRecursiveFiles = async (dir: string, relative = ''): Promise<string[]> => {
  const names = await Promise.all(
    (await readdir(path.join(dir, relative))).map(async (name) =>
      (await stat(path.join(dir, relative, name))).isDirectory() ? `${name}/` : name,
    ),
  );
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const files: string[] = [];
  for (const name of names) {
    if (name.endsWith('/')) files.push(...(await awsCliRecursiveFiles(dir, `${relative}${name}`)));
    else files.push(`${relative}${name}`);
  }
  return files;
};

describe('a chart directory uploaded with aws s3 cp --recursive after helm dependency build', () => {
  let scratch: string;
  let helmPath: string;
  let chartDir: string;
  let runtime: LocalRuntime;
  const collector = outcomeCollector();
  const git = (...args: string[]) => runGit(runtime.clusterRepo, ['--git-dir', runtime.clusterRepo, ...args]);
  const tags = async (key: string) => {
    const { TagSet } = await runtime.s3.client.send(
      new GetObjectTaggingCommand({ Bucket: runtime.bucket, Key: key }),
    );
    return Object.fromEntries((TagSet ?? []).map((tag) => [tag.Key!, tag.Value!]));
  };

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'recursive-upload-'));
    helmPath = await layerBinaryPath('helm');
    const helm = async (...args: string[]) => {
      const run = await runFile(helmPath, args, { env: isolatedToolEnv(scratch), cwd: scratch });
      expect(run.exitCode, run.stderr).toBe(0);
    };
    // The umbrella chart depends on the two sample charts of this repository, from file:// repositories.
    chartDir = path.join(scratch, 'shop');
    await helm('create', 'shop');
    const chartYaml = await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8');
    await writeFile(
      path.join(chartDir, 'Chart.yaml'),
      `${chartYaml}dependencies:\n` +
        `  - name: hello-web\n    version: 1.0.0\n    repository: file://${path.join(repoRoot, 'charts/hello-web')}\n` +
        `  - name: hello-worker\n    version: 0.3.1\n    repository: file://${path.join(repoRoot, 'charts/hello-worker')}\n`,
    );
    await helm('dependency', 'build', chartDir);
    runtime = await startLocalRuntime({
      workdir: path.join(scratch, 'work'),
      onOutcomes: collector.onOutcomes,
      queue: { batchingWindowMs: 200 },
    });
  }, scaledTimeout(120_000));

  afterAll(async () => {
    await runtime?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('gives one CHART_NOT_PACKAGED outcome that says what to do, promotes no vendored dependency, commits nothing', async () => {
    // Prepare
    const files = await awsCliRecursiveFiles(chartDir);
    const keys = files.map((file) => `${runtime.prefix}shop/${file}`);
    expect(files).toEqual(
      expect.arrayContaining([
        '.helmignore',
        'Chart.lock',
        'Chart.yaml',
        'charts/hello-web-1.0.0.tgz',
        'charts/hello-worker-0.3.1.tgz',
        'templates/deployment.yaml',
        'values.yaml',
      ]),
    );
    const headBefore = await git('rev-parse', runtime.branch);

    // Act: every file, in the CLI's order, ten at a time.
    await mapLimit(files, AWS_CLI_CONCURRENCY, async (file, i) => {
      await runtime.s3.client.send(
        new PutObjectCommand({
          Bucket: runtime.bucket,
          Key: keys[i]!,
          Body: await readFile(path.join(chartDir, file)),
        }),
      );
    });
    const outcomes = await collector.next(3);
    await runtime.idle();

    // Assess
    const sorted = [...outcomes].sort((a, b) => a.key.localeCompare(b.key));
    expect(sorted.map((o) => [o.status, o.code, o.key])).toEqual([
      ['refused', 'CHART_NOT_PACKAGED', 'incoming/shop/Chart.yaml'],
      ['ignored', 'VENDORED_DEPENDENCY', 'incoming/shop/charts/hello-web-1.0.0.tgz'],
      ['ignored', 'VENDORED_DEPENDENCY', 'incoming/shop/charts/hello-worker-0.3.1.tgz'],
    ]);
    expect(sorted[0]?.message).toMatch(/^incoming\/shop\/ holds a chart directory uploaded file by file/);
    expect(sorted[0]?.message).toContain('chart-promoter push <chart dir>');
    expect(await tags('incoming/shop/Chart.yaml')).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'CHART_NOT_PACKAGED',
    });
    expect(files.length).toBeGreaterThan(10);
    expect(await readRuns(runtime.runLog)).toHaveLength(3);
    expect(await git('rev-parse', runtime.branch)).toBe(headBefore);
  });

  it('then promotes exactly the one chart that was meant once it is packaged as the outcome says', async () => {
    // Prepare: what `chart-promoter push <dir>` does (helm package) and then one upload.
    const archive = await packageChart(helmPath, chartDir, scratch);

    // Act
    await runtime.s3.client.send(
      new PutObjectCommand({
        Bucket: runtime.bucket,
        Key: `${runtime.prefix}${path.basename(archive)}`,
        Body: await readFile(archive),
      }),
    );
    const [outcome] = await collector.next(1);
    await runtime.idle();

    // Assess
    expect(outcome).toMatchObject({
      status: 'promoted',
      chart: 'shop',
      version: '0.1.0',
      environment: 'dev',
    });
    expect(await readRuns(runtime.runLog)).toHaveLength(4);
    const releases = (await git('ls-tree', '--name-only', runtime.branch, 'environments/dev/')).split('\n');
    expect(releases).toEqual(['environments/dev/kustomization.yaml', 'environments/dev/shop.yaml']);
    expect(await git('ls-tree', '--name-only', runtime.branch, 'charts/')).toBe('charts/shop');
  });
});
