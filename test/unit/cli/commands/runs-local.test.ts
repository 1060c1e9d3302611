import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliDependencies } from '../../../../cli/command';
import { listedCommand } from '../../../../cli/command';
import { runsCommand } from '../../../../cli/commands/runs';
import { runCli } from '../../../../cli/main';
import { captureIo } from '../../../support/cli-capture';

/** `runs` without --log-group reads the local run log and never creates an AWS client. */
const noAws: Pick<CliDependencies, 'logs'> = {
  logs: async () => {
    throw new Error('local mode must not create a CloudWatch Logs client');
  },
};
const program = { version: 'test', commands: [listedCommand('runs', runsCommand(noAws))] };

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

  describe('what each row tells: runs that name what they refused', () => {
    const runLog = async (lines: readonly Record<string, unknown>[]): Promise<string> => {
      const workdir = await mkdtemp(join(tmpdir(), 'runs-local-'));
      dirs.push(workdir);
      const at = '2026-03-01T10:00:00.000Z';
      const base = { at, bucket: 'charts', environment: 'dev', durationMs: 5 };
      await writeFile(
        join(workdir, 'runs.jsonl'),
        lines.map((line) => `${JSON.stringify({ ...base, ...line })}\n`).join(''),
      );
      return workdir;
    };
    const refusedTwice = {
      runId: 'r-refused',
      status: 'refused',
      key: 'incoming/podinfo-6.14.5.tgz',
      chart: 'podinfo',
      version: '6.14.5',
      code: 'CHART_DEPENDENCY_MISSING',
      message: 'dependency "redis" is not vendored under charts/',
      path: 'Chart.yaml',
      refusals: [
        {
          code: 'CHART_DEPENDENCY_MISSING',
          message: 'dependency "redis" is not vendored under charts/',
          path: 'Chart.yaml',
        },
        {
          code: 'RENDER_FAILED',
          message: 'Error: template: podinfo/templates/a.yaml:3:4\nexecuting "x" at <.Values.y>',
        },
      ],
    };
    const ignored = (i: number, code = 'NOT_A_CHART_ARCHIVE') => ({
      runId: `r-ignored-${i}`,
      status: 'ignored',
      key: `incoming/podinfo/templates/file-${i}.yaml`,
      code,
      message: 'not a chart archive',
    });
    const promoted = (chart: string, version: string) => ({
      runId: `r-${chart}-${version}`,
      status: 'promoted',
      key: `incoming/${chart}-${version}.tgz`,
      chart,
      version,
      commit: 'c'.repeat(40),
    });

    it('names chart and version of a refusal and prints every refusal, each message whole', async () => {
      // Prepare
      const workdir = await runLog([refusedTwice]);
      const [text, json] = [captureIo(), captureIo()];

      // Act
      const code = await runCli(['runs', '--workdir', workdir], text, program);
      await runCli(['runs', '--workdir', workdir, '--json'], json, program);

      // Assess
      expect(code).toBe(0);
      const lines = text.out().trimEnd().split('\n');
      const detailAt = lines[0]!.indexOf('DETAIL');
      expect(lines[1]).toMatch(
        /^ {2}podinfo\s+6\.14\.5\s+dev\s+refused\s+-\s+CHART_DEPENDENCY_MISSING \(Chart\.yaml\): dependency "redis"/,
      );
      expect(lines.slice(2)).toEqual([
        `${' '.repeat(detailAt)}RENDER_FAILED: Error: template: podinfo/templates/a.yaml:3:4`,
        `${' '.repeat(detailAt)}  executing "x" at <.Values.y>`,
      ]);
      expect(text.out()).not.toContain('more');
      const { runs } = JSON.parse(json.out()) as { runs: Record<string, unknown>[] };
      expect(runs[0]).toMatchObject({
        chart: 'podinfo',
        version: '6.14.5',
        code: 'CHART_DEPENDENCY_MISSING',
        refusals: refusedTwice.refusals,
      });
    });

    it('folds ignored objects into one line (not counted against --limit); --all lists them', async () => {
      // Prepare: a recursive upload's many ignored files after the outcomes that matter.
      const workdir = await runLog([
        promoted('web', '1.0.0'),
        refusedTwice,
        ...Array.from({ length: 30 }, (_, i) => ignored(i)),
        ignored(30, 'FOLDER_MARKER'),
      ]);
      const [text, json, all] = [captureIo(), captureIo(), captureIo()];

      // Act
      await runCli(['runs', '--workdir', workdir, '--limit', '5'], text, program);
      await runCli(['runs', '--workdir', workdir, '--json'], json, program);
      await runCli(['runs', '--workdir', workdir, '--all', '--limit', '40', '--json'], all, program);

      // Assess
      const lines = text.out().trimEnd().split('\n');
      expect(lines[1]).toMatch(/^ {2}web\s+1\.0\.0\s+dev\s+promoted/);
      expect(lines[2]).toMatch(/^ {2}podinfo\s+6\.14\.5\s+dev\s+refused/);
      expect(lines.at(-1)).toBe(
        '  31 ignored objects not listed (NOT_A_CHART_ARCHIVE 30, FOLDER_MARKER 1): --all lists them',
      );
      const folded = JSON.parse(json.out()) as { runs: { runId: string }[]; ignored: unknown };
      expect(folded.runs.map((r) => r.runId)).toEqual(['r-web-1.0.0', 'r-refused']);
      expect(folded.ignored).toEqual({ count: 31, byCode: { NOT_A_CHART_ARCHIVE: 30, FOLDER_MARKER: 1 } });
      const listed = JSON.parse(all.out()) as { runs: unknown[]; ignored: unknown };
      expect(listed.runs).toHaveLength(33);
      expect(listed.ignored).toEqual({ count: 0, byCode: {} });
    });

    it('filters with --chart (by name, or by file name when Chart.yaml was never read) and --status', async () => {
      // Prepare
      const corrupt = {
        runId: 'r-corrupt',
        status: 'refused',
        key: 'incoming/podinfo-6.14.6.tgz',
        code: 'ARCHIVE_CORRUPT',
        message: 'not gzip',
      };
      const workdir = await runLog([
        promoted('web', '1.0.0'),
        promoted('podinfo', '6.14.1'),
        refusedTwice,
        corrupt,
        promoted('podinfo-exporter', '1.0.0'),
      ]);
      const ids = async (...args: string[]) => {
        const io = captureIo();
        const code = await runCli(['runs', '--workdir', workdir, '--json', ...args], io, program);
        expect(code, io.err()).toBe(0);
        return (JSON.parse(io.out()) as { runs: { runId: string }[] }).runs.map((r) => r.runId);
      };

      // Act + Assess
      expect(await ids('--chart', 'podinfo')).toEqual(['r-podinfo-6.14.1', 'r-refused', 'r-corrupt']);
      expect(await ids('--status', 'refused')).toEqual(['r-refused', 'r-corrupt']);
      expect(await ids('--chart', 'podinfo', '--status', 'promoted')).toEqual(['r-podinfo-6.14.1']);
      expect(await ids('--chart', 'web,podinfo-exporter')).toEqual([
        'r-web-1.0.0',
        'r-podinfo-exporter-1.0.0',
      ]);
      const none = captureIo();
      await runCli(['runs', '--workdir', workdir, '--chart', 'nothing'], none, program);
      expect(none.out()).toBe(`no runs yet in ${workdir} that match --chart/--status\n`);
    });

    it.each([
      [['--status', 'done'], /--status takes one or more of promoted, unchanged/],
      [['--status', ''], /--status takes/],
      [['--chart', 'Not_A_Chart'], /--chart takes chart names/],
    ])('refuses %j as a usage error (exit 2)', async (args, message) => {
      // Prepare
      const io = captureIo();

      // Act
      const code = await runCli(['runs', '--workdir', tmpdir(), ...args], io, program);

      // Assess
      expect(code).toBe(2);
      expect(io.err()).toMatch(message);
    });
  });
});
