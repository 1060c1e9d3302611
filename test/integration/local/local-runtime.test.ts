import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import { readRuns } from '../../../functions/local/run-log';
import { runGit } from '../../support/bare-repo';
import { outcomeCollector } from '../../support/outcome-collector';
import { buildChart } from '../../support/tar-fixtures';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('startLocalRuntime (s3rver + bridge + queue + the promote handler + a bare repository)', () => {
  let workdir: string;
  let runtime: LocalRuntime;
  const collector = outcomeCollector();
  const charts = [
    ['lr-alpha', '1.0.0'],
    ['lr-beta', '0.4.2'],
    ['lr-gamma', '2.1.0'],
  ] as const;
  const git = (...args: string[]) => runGit(runtime.clusterRepo, ['--git-dir', runtime.clusterRepo, ...args]);
  const uploadAll = async () => {
    await Promise.all(
      charts.map(async ([name, version]) =>
        runtime.s3.client.send(
          new PutObjectCommand({
            Bucket: runtime.bucket,
            Key: `${runtime.prefix}${name}-${version}.tgz`,
            Body: await buildChart(name, version),
          }),
        ),
      ),
    );
  };

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'local-runtime-'));
    runtime = await startLocalRuntime({
      workdir,
      onOutcomes: collector.onOutcomes,
      queue: { batchingWindowMs: 300 },
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('promotes 3 simultaneous uploads in one commit, with one run-log line each', async () => {
    // Prepare
    const commitsBefore = Number(await git('rev-list', '--count', runtime.branch));

    // Act
    await uploadAll();
    const outcomes = await collector.next(3);
    await runtime.idle();

    // Assess
    const head = await git('rev-parse', runtime.branch);
    expect(Number(await git('rev-list', '--count', runtime.branch))).toBe(commitsBefore + 1);
    expect(outcomes.map((o) => o.status)).toEqual(['promoted', 'promoted', 'promoted']);
    expect(new Set(outcomes.map((o) => o.commit))).toEqual(new Set([head]));
    const runs = await readRuns(runtime.runLog);
    expect(runs).toHaveLength(3);
    expect(runs.map((r) => r.chart).sort()).toEqual(['lr-alpha', 'lr-beta', 'lr-gamma']);
    expect(runs.every((r) => r.status === 'promoted' && r.commit === head && r.environment === 'dev')).toBe(
      true,
    );
    expect(runtime.metrics.total('ChartsPromoted')).toBe(3);
    const logLines = (await readFile(runtime.logFile, 'utf8')).trim().split('\n');
    expect(
      logLines
        .map((line) => JSON.parse(line).runId)
        .filter(Boolean)
        .sort(),
    ).toEqual(runs.map((r) => r.runId).sort());
  });

  it('shows a re-upload of the same charts as unchanged, with no new commit', async () => {
    // Prepare
    const headBefore = await git('rev-parse', runtime.branch);

    // Act
    await uploadAll();
    const outcomes = await collector.next(3);
    await runtime.idle();

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await git('rev-parse', runtime.branch)).toBe(headBefore);
    const runs = await readRuns(runtime.runLog);
    expect(runs).toHaveLength(6);
    expect(runs.slice(3).every((r) => r.status === 'unchanged' && r.commit === undefined)).toBe(true);
  });

  it('closes cleanly: a process that starts, uses and closes the runtime exits on its own', async () => {
    // Prepare: no process.exit in the child; an open handle would keep it alive until the timeout.
    const childWorkdir = await mkdtemp(path.join(tmpdir(), 'local-runtime-exit-'));
    const script = `
      const { startLocalRuntime } = await import(${JSON.stringify(path.join(repoRoot, 'functions/local/local-runtime.ts'))});
      const { buildChart } = await import(${JSON.stringify(path.join(repoRoot, 'test/support/tar-fixtures.ts'))});
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      let done;
      const promoted = new Promise((resolve) => { done = resolve; });
      const runtime = await startLocalRuntime({
        workdir: ${JSON.stringify(childWorkdir)},
        queue: { batchingWindowMs: 20 },
        onOutcomes: (outcomes) => done(outcomes),
      });
      await runtime.s3.client.send(new PutObjectCommand({
        Bucket: runtime.bucket, Key: runtime.prefix + 'exit-1.0.0.tgz', Body: await buildChart('exit', '1.0.0'),
      }));
      const outcomes = await promoted;
      await runtime.close();
      console.log(JSON.stringify(outcomes.map((o) => o.status)));
    `;

    // Act
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          {
            cwd: repoRoot,
            // Generous: tsx start-up alone takes seconds on a loaded 2-core machine; a hang still shows.
            timeout: 45_000,
            env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? (error.code as number) : 0, stdout, stderr, killed: child.killed }),
        );
      },
    );
    await rm(childWorkdir, { recursive: true, force: true });

    // Assess
    expect(run.killed, 'the process did not exit by itself: something is still open').toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(['promoted']);
  });
});

describe('startLocalRuntime close() racing an upload', () => {
  it('finishes an upload whose event arrived just before close(), and nothing runs after close resolves', async () => {
    // Prepare
    const workdir = await mkdtemp(path.join(tmpdir(), 'local-runtime-race-'));
    const collector = outcomeCollector();
    const runtime = await startLocalRuntime({
      workdir,
      onOutcomes: collector.onOutcomes,
      queue: { batchingWindowMs: 20 },
    });
    let closing: Promise<void> | undefined;
    // Registered after the runtime's own bridge: it sees the event right after the bridge does.
    runtime.s3.onObjectCreated(() => {
      closing ??= runtime.close();
    });
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);

    try {
      // Act
      await runtime.s3.client
        .send(
          new PutObjectCommand({
            Bucket: runtime.bucket,
            Key: `${runtime.prefix}race-1.0.0.tgz`,
            Body: await buildChart('race', '1.0.0'),
          }),
        )
        .catch(() => undefined);
      await closing;
      const outcomesAtClose = (await readRuns(runtime.runLog)).map((run) => run.status);
      await new Promise((resolve) => setTimeout(resolve, 300)); // past a batching window and more

      // Assess
      expect(outcomesAtClose).toEqual(['promoted']);
      expect(errors).toEqual([]);
      expect((await readRuns(runtime.runLog)).map((run) => run.status)).toEqual(['promoted']);
    } finally {
      process.off('uncaughtException', onError);
      await rm(workdir, { recursive: true, force: true });
    }
  });
});
