import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localS3Client } from '../../functions/local/s3-endpoint';
import { runGit } from '../support/bare-repo';
import { CHART_PROMOTER_BIN, chartPromoterProcess } from '../support/cli-process';
import { scaledTimeout } from '../support/machine-speed';
import { buildChart } from '../support/tar-fixtures';

const repoRoot = path.resolve(import.meta.dirname, '../..');
/** `push` runs in its own process, as the `local` banner tells a user to run it. */
const chartPromoter = chartPromoterProcess(30_000);

describe('chart-promoter local --json (long-running, as a user starts it)', () => {
  let workdir: string;

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'cli-local-'));
  });

  afterAll(async () => {
    await rm(workdir, { recursive: true, force: true });
  });

  it('prints its endpoint, promotes uploads (S3 client, then `push`) as they arrive, and stops cleanly on Ctrl-C', async () => {
    // Prepare
    const child = spawn(CHART_PROMOTER_BIN, ['local', '--json', '--workdir', workdir], {
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextLine = async (): Promise<string> => {
      const waitMs = scaledTimeout(30_000);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no stdout line within ${waitMs} ms; stderr: ${stderr}`)),
          waitMs,
        ).unref(),
      );
      const line = await Promise.race([lines.next(), timeout]);
      if (line.done) throw new Error(`stdout ended; stderr: ${stderr}`);
      return line.value;
    };

    try {
      // Act: the first line says where to upload; upload as `aws s3 cp` would (one PutObject).
      const ready = JSON.parse(await nextLine()) as {
        s3Endpoint: string;
        bucket: string;
        prefix: string;
        clusterRepo: string;
        boardUrl: string;
      };
      const client = localS3Client(ready.s3Endpoint);
      const key = `${ready.prefix}cli-local-1.0.0.tgz`;
      await client.send(
        new PutObjectCommand({
          Bucket: ready.bucket,
          Key: key,
          Body: await buildChart('cli-local', '1.0.0'),
          ContentType: 'application/x-tar',
        }),
      );
      const run = JSON.parse(await nextLine());
      // The promotion board it serves lists that run (from the run log, written before the line).
      const board = await (await fetch(ready.boardUrl)).text();
      const { TagSet } = await client.send(new GetObjectTaggingCommand({ Bucket: ready.bucket, Key: key }));
      client.destroy();
      const firstHead = await runGit(workdir, ['--git-dir', ready.clusterRepo, 'rev-parse', 'main']);
      // And with `push` (helm package + upload), the way the `local` banner suggests.
      const pushed = await chartPromoter(
        'push',
        path.join(repoRoot, 'charts', 'hello-worker'),
        '--endpoint',
        ready.s3Endpoint,
        '--json',
      );
      const pushedRun = JSON.parse(await nextLine());
      const head = await runGit(workdir, ['--git-dir', ready.clusterRepo, 'rev-parse', 'main']);
      const stopAsked = Date.now();
      child.kill('SIGINT');
      const exit = await exited;

      // Assess
      expect(ready).toMatchObject({
        s3Endpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        bucket: 'charts',
        prefix: 'incoming/',
        clusterRepo: path.join(workdir, 'cluster.git'),
        boardUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/),
      });
      expect(board).toContain('<h1>Promotion board</h1>');
      expect(board).toMatch(
        /<td>upload<\/td><td>cli-local<\/td><td><span class="cpb-mono">1\.0\.0<\/span><\/td><td>dev<\/td>/,
      );
      expect(run).toMatchObject({
        chart: 'cli-local',
        version: '1.0.0',
        environment: 'dev',
        status: 'promoted',
        commit: firstHead,
        source: `s3://charts/${key}`,
      });
      expect(pushed.code, pushed.stderr).toBe(0);
      const pushedDocument = JSON.parse(pushed.stdout);
      expect(pushedDocument).toMatchObject({
        bucket: 'charts',
        key: expect.stringMatching(/^incoming\/hello-worker-.+\.tgz$/),
      });
      expect(pushedRun).toMatchObject({
        chart: 'hello-worker',
        status: 'promoted',
        commit: head,
        source: pushedDocument.uri,
      });
      expect(head).not.toBe(firstHead);
      expect(TagSet).toContainEqual({ Key: 'chart-promoter/status', Value: 'promoted' });
      expect(exit, stderr).toEqual({ code: 0, signal: null });
      expect(Date.now() - stopAsked).toBeLessThan(5_000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
