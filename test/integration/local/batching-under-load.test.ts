import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import { runGit } from '../../support/bare-repo';
import { outcomeCollector } from '../../support/outcome-collector';
import { buildChart } from '../../support/tar-fixtures';

/**
 * The demo's promise, under a competing CPU load: uploads made together land in one batch, so one
 * commit. Two busy loops (one per core of the 2-core build machine) run in their own processes for
 * the whole test, on top of whatever else the machine does. The uploads use the runtime's default
 * batching window, as `chart-promoter local` and `demo` do.
 */
describe('batching under a competing CPU load', () => {
  let workdir: string;
  let runtime: LocalRuntime;
  const busy: ChildProcess[] = [];
  const collector = outcomeCollector();
  const charts = [
    ['bl-alpha', '1.0.0'],
    ['bl-beta', '0.4.2'],
  ] as const;
  const git = (...args: string[]) => runGit(runtime.clusterRepo, ['--git-dir', runtime.clusterRepo, ...args]);

  beforeAll(async () => {
    for (let i = 0; i < 2; i++)
      busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    workdir = await mkdtemp(path.join(tmpdir(), 'batching-under-load-'));
    runtime = await startLocalRuntime({ workdir, onOutcomes: collector.onOutcomes });
  });

  afterAll(async () => {
    for (const child of busy) child.kill('SIGKILL');
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('lands two uploads made together in one commit while two busy loops compete for the CPU', async () => {
    // Prepare: the archives are built first, so the uploads are what arrives together.
    const bodies = await Promise.all(charts.map(([name, version]) => buildChart(name, version)));
    const commitsBefore = Number(await git('rev-list', '--count', runtime.branch));

    // Act
    await Promise.all(
      charts.map(([name, version], i) =>
        runtime.s3.client.send(
          new PutObjectCommand({
            Bucket: runtime.bucket,
            Key: `${runtime.prefix}${name}-${version}.tgz`,
            Body: bodies[i],
          }),
        ),
      ),
    );
    const outcomes = await collector.next(2);
    await runtime.idle();

    // Assess
    const head = await git('rev-parse', runtime.branch);
    expect(outcomes.map((o) => o.status)).toEqual(['promoted', 'promoted']);
    expect(new Set(outcomes.map((o) => o.commit))).toEqual(new Set([head]));
    expect(Number(await git('rev-list', '--count', runtime.branch))).toBe(commitsBefore + 1);
  });
});
