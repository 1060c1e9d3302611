import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartPromoterProcess } from '../support/cli-process';

const repoRoot = resolve(import.meta.dirname, '../..');
const fixtures = resolve(repoRoot, 'test/fixtures/charts');

/** Runs the real command as a user would: its own process, from another directory. */
const chartPromoter = chartPromoterProcess(30_000);

// Each start of the command costs about half a second (tsx); the runs are independent, so in parallel.
describe.concurrent('chart-promoter inspect (the real command, real helm)', () => {
  it('accepts podinfo: exit 0 and one JSON document on stdout', async () => {
    const run = await chartPromoter('inspect', join(fixtures, 'podinfo-6.14.1.tgz'), '--json');
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout);
    expect(document).toMatchObject({ ok: true, chart: { name: 'podinfo', version: '6.14.1' } });
  });

  it('refuses argo-cd with a missing dependency: exit 1, CHART_DEPENDENCY_MISSING', async () => {
    const run = await chartPromoter(
      'inspect',
      join(fixtures, 'argo-cd-10.1.1-missing-dependency.tgz'),
      '--json',
    );
    expect(run.code, run.stderr).toBe(1);
    const document = JSON.parse(run.stdout);
    expect(document.ok).toBe(false);
    expect(document.errors.map((e: { code: string }) => e.code)).toContain('CHART_DEPENDENCY_MISSING');
  });

  it('exits 2 for a missing file, and says so on stderr', async () => {
    const run = await chartPromoter('inspect', join(fixtures, 'no-such-chart-1.0.0.tgz'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no such file');
    expect(run.stdout).toBe('');
  });

  it('exits 2 for an unknown option', async () => {
    const run = await chartPromoter('inspect', join(fixtures, 'podinfo-6.14.1.tgz'), '--frob');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("'--frob'");
  });

  it('prints the program help and the inspect help, exit 0', async () => {
    const [program, inspect] = await Promise.all([
      chartPromoter('--help'),
      chartPromoter('inspect', '--help'),
    ]);
    expect(program.code).toBe(0);
    expect(program.stdout).toMatch(/inspect\s+validate a chart archive/);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain('--no-render');
    expect(inspect.stdout).toContain('--json');
    expect(inspect.stdout).toContain('Exit codes:');
  });
});
