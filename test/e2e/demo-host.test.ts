import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, chartPromoterProcess } from '../support/cli-process';

/** The real command in its own process, from another directory, as a newcomer runs it. */
const chartPromoter = chartPromoterProcess(90_000);

/**
 * `demo --host bitbucket`: the same loop as the default demo, but the cluster repository lives on
 * the local Bitbucket Cloud stand-in (test/support/bitbucket-api-server, every request and answer
 * checked against Atlassian's OpenAPI description: the stand-in fails the demo on close if any broke
 * it), reached through the Bitbucket adapter the registry builds. prod is `mode: pull-request`, so
 * each chart ends with a pull request on the stand-in, printed with its URL.
 */
describe('chart-promoter demo --host bitbucket (the Bitbucket Cloud stand-in)', () => {
  let workdir: string;
  let run: CliRun;

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'demo-bitbucket-e2e-'));
    run = await chartPromoter('demo', '--host', 'bitbucket', '--no-render', '--workdir', workdir);
  });

  afterAll(async () => {
    await rm(workdir, { recursive: true, force: true });
  });

  it('exits 0 and prints the prod pull request of each sample chart with its URL on the stand-in', () => {
    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /Git host {12}local Bitbucket Cloud API stand-in http:\/\/127\.0\.0\.1:\d+\/2\.0 \(acme\/cluster\)/,
    );
    const urls = [
      ...run.stdout.matchAll(/prod (\S+) (\S+): (\S+\/acme\/cluster\/pull-requests\/\d+) \(branch (\S+)\)/g),
    ];
    expect(urls.map(([, chart, , , branch]) => [chart, branch]).sort()).toEqual([
      ['hello-web', 'promote/prod/hello-web'],
      ['hello-worker', 'promote/prod/hello-worker'],
    ]);
    // One pull request per chart (distinct ids), each also in the step that opened it.
    expect(new Set(urls.map(([, , , url]) => url)).size).toBe(2);
    for (const [, , , url] of urls) expect(run.stdout).toContain(`pull request ${url}`);
    expect(run.stdout).toMatch(/hello-web\s+prod\s+pull-request\s+proposed\s+1\.0\.0/);
  });

  it('refuses an unknown host kind with a usage error', async () => {
    // Act
    const refused = await chartPromoter('demo', '--host', 'svn', '--workdir', workdir);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--host must be one of git, github, bitbucket, gitlab, got svn');
  });
});
