import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEntries } from '../../cli/commands/index';
import { createCliDependencies } from '../../cli/composition';
import { runCli } from '../../cli/main';
import { startLocalRuntime } from '../../functions/local/local-runtime';
import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';
import { runGit } from '../support/bare-repo';
import { type CliRun, chartPromoterProcess } from '../support/cli-process';
import { buildChart } from '../support/tar-fixtures';

const chartPromoter = chartPromoterProcess(60_000);

/**
 * The same CLI in this process (argv → dispatcher → command → exit code): a new node + tsx process
 * costs ~1-2 s each, so only the first move goes through bin/chart-promoter.
 */
const inProcess = async (...args: string[]): Promise<CliRun> => {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  };
  const deps = createCliDependencies();
  const code = await runCli(args, io, { version: deps.version, commands: commandEntries(deps) });
  return { code, stdout, stderr };
};

/** chart-promoter's own annotations (run id, previous version, upload time): the only lines a move may change besides the chart. */
const withoutAnnotations = (text: string): string =>
  text
    .split('\n')
    .filter((line) => !/^\s+"?(event\.toolkit\.fluxcd\.io|chart-promoter\.io)\//.test(line))
    .join('\n');

describe('chart-promoter promote / rollback (local mode, the work dir of the embedded runtime)', () => {
  let workdir: string;
  let clusterRepo: string;
  const git = (...args: string[]) => runGit(workdir, ['--git-dir', clusterRepo, ...args]);
  const RELEASE = 'environments/staging/cp-web.yaml';

  beforeAll(async () => {
    // Two versions of a chart uploaded through the embedded runtime: both are in charts/, dev runs 1.1.0.
    workdir = await mkdtemp(path.join(tmpdir(), 'cli-promote-'));
    const outcomes: UploadOutcome[] = [];
    let wake = () => {};
    const runtime = await startLocalRuntime({
      workdir,
      queue: { batchingWindowMs: 20 },
      onOutcomes: (o) => {
        outcomes.push(...o);
        wake();
      },
    });
    try {
      for (const version of ['1.0.0', '1.1.0']) {
        const seen = outcomes.length;
        const arrived = new Promise<void>((resolve) => {
          wake = () => outcomes.length > seen && resolve();
        });
        await runtime.s3.client.send(
          new PutObjectCommand({
            Bucket: runtime.bucket,
            Key: `${runtime.prefix}cp-web-${version}.tgz`,
            Body: await buildChart('cp-web', version),
          }),
        );
        await arrived;
      }
      clusterRepo = runtime.clusterRepo;
    } finally {
      await runtime.close();
    }
    expect(outcomes.map((o) => o.status)).toEqual(['promoted', 'promoted']);
  });

  afterAll(async () => {
    await rm(workdir, { recursive: true, force: true });
  });

  it('promotes 1.0.0 to staging, a human edits it, 1.1.0 follows, and rollback restores the file byte for byte except annotations', async () => {
    // Act 1: promote by hand.
    const first = await chartPromoter(
      'promote',
      'cp-web',
      '1.0.0',
      '--to',
      'staging',
      '--workdir',
      workdir,
      '--json',
    );
    // A human changes the release's values (a commit with the git CLI, as anyone would).
    const checkout = path.join(workdir, 'checkout');
    await runGit(workdir, ['clone', '--quiet', clusterRepo, checkout]);
    const edited = `${await readFile(path.join(checkout, RELEASE), 'utf8')}`.replace(
      '  values: {}\n',
      '  # two replicas in staging\n  values:\n    replicaCount: 2\n',
    );
    await writeFile(path.join(checkout, RELEASE), edited);
    await runGit(checkout, ['commit', '--quiet', '-am', 'staging: two replicas']);
    await runGit(checkout, ['push', '--quiet', 'origin', 'main']);
    // Act 2: the next version, then roll it back.
    const second = await inProcess(
      'promote',
      'cp-web',
      '1.1.0',
      '--to',
      'staging',
      '--workdir',
      workdir,
      '--json',
    );
    const upgraded = await git('show', `main:${RELEASE}`);
    const rollback = await inProcess(
      'rollback',
      'cp-web',
      '--env',
      'staging',
      '--workdir',
      workdir,
      '--json',
    );
    // Exact bytes: from a checkout (runGit trims its output).
    await runGit(checkout, ['pull', '--quiet', '--ff-only']);
    const restored = await readFile(path.join(checkout, RELEASE), 'utf8');

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      ok: true,
      status: 'committed',
      environment: 'staging',
      version: '1.0.0',
    });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'committed', version: '1.1.0' });
    expect(upgraded).toContain('chart: ./charts/cp-web/1.1.0');
    expect(upgraded).toContain('replicaCount: 2');
    expect(rollback.code, rollback.stderr).toBe(0);
    const rolledBack = JSON.parse(rollback.stdout);
    expect(rolledBack).toMatchObject({
      ok: true,
      command: 'rollback',
      status: 'committed',
      version: '1.0.0',
    });
    expect(rolledBack.commit).toBe(await git('rev-parse', 'main'));
    expect(withoutAnnotations(restored)).toBe(withoutAnnotations(edited));
    expect(restored).not.toBe(edited); // the annotations did change: run id and previous version
    expect(await git('log', '-1', '--format=%s', 'main')).toMatch(/cp-web.*staging/);
  });

  it('a gated environment gets a branch (exit 0, not duplicated on a re-run); a missing version is refused (exit 1); no work dir is exit 2', async () => {
    // Act
    const gated = await inProcess('promote', 'cp-web', '1.0.0', '--to', 'prod', '--workdir', workdir);
    const again = await inProcess('promote', 'cp-web', '1.0.0', '--to', 'prod', '--workdir', workdir);
    const branches = await git('for-each-ref', '--format=%(refname:short)', 'refs/heads/promote/');
    const missing = await inProcess(
      'promote',
      'cp-web',
      '9.9.9',
      '--to',
      'staging',
      '--workdir',
      workdir,
      '--json',
    );
    const nowhere = await inProcess(
      'rollback',
      'cp-web',
      '--env',
      'staging',
      '--workdir',
      path.join(workdir, 'nope'),
    );

    // Assess
    expect(gated.code, gated.stderr).toBe(0);
    expect(gated.stdout).toContain('promote/prod/cp-web');
    expect(again.code, again.stderr).toBe(0);
    expect(branches).toBe('promote/prod/cp-web');
    await expect(git('cat-file', '-e', `main:environments/prod/cp-web.yaml`)).rejects.toThrow();
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      status: 'refused',
      code: 'VERSION_NOT_FOUND',
    });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('no cluster repository');
  });
});
