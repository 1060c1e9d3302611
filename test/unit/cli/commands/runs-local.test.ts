import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliDependencies } from '../../../../cli/command';
import { runsCommand } from '../../../../cli/commands/runs';
import { runCli } from '../../../../cli/main';
import { captureIo } from '../../../support/cli-capture';

/** `runs` without --log-group reads the local run log and never creates an AWS client. */
const noAws: Pick<CliDependencies, 'logs'> = {
  logs: async () => {
    throw new Error('local mode must not create a CloudWatch Logs client');
  },
};
const program = { version: 'test', commands: [runsCommand(noAws)] };

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('chart-promoter runs (local mode)', () => {
  it('lists the run log of the work dir, newest last, limited to --limit', async () => {
    // Prepare
    const workdir = await mkdtemp(join(tmpdir(), 'runs-local-'));
    dirs.push(workdir);
    const run = (runId: string, status: string) =>
      JSON.stringify({
        at: '2026-03-01T10:00:00.000Z',
        runId,
        status,
        bucket: 'b',
        key: `k/${runId}.tgz`,
        chart: 'web',
        version: '1.0.0',
        durationMs: 5,
      });
    await writeFile(
      join(workdir, 'runs.jsonl'),
      `${run('r1', 'promoted')}\n${run('r2', 'unchanged')}\n${run('r3', 'refused')}\n`,
    );
    const io = captureIo();

    // Act
    const code = await runCli(['runs', '--workdir', workdir, '--limit', '2', '--json'], io, program);

    // Assess
    expect(code, io.err()).toBe(0);
    const { runs } = JSON.parse(io.out()) as { runs: { runId: string; source: string }[] };
    expect(runs.map((r) => r.runId)).toEqual(['r2', 'r3']);
    expect(runs[0]?.source).toBe('s3://b/k/r2.tgz');
  });

  it('says so when the work dir has no run log yet', async () => {
    // Prepare
    const workdir = await mkdtemp(join(tmpdir(), 'runs-local-'));
    dirs.push(workdir);
    const io = captureIo();

    // Act
    const code = await runCli(['runs', '--workdir', workdir], io, program);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toBe(`no runs yet in ${workdir}\n`);
  });

  it('shows the AWS mode with an example in --help', async () => {
    // Prepare
    const io = captureIo();

    // Act
    const code = await runCli(['runs', '--help'], io, program);

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('--log-group NAME');
    expect(io.out()).toMatch(/chart-promoter runs --log-group \S+ --region \S+ --since 7d/);
  });
});
