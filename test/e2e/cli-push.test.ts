import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../functions/local/local-runtime';
import { type S3Endpoint, startS3Endpoint } from '../../functions/local/s3-endpoint';
import { runGit } from '../support/bare-repo';
import { chartPromoterProcess } from '../support/cli-process';
import { buildChart } from '../support/tar-fixtures';

/**
 * `push` as a user runs it (its own process), against the embedded pipeline: the check before the
 * upload, progress off a terminal, and `--wait` reading the outcome from the object's tags or from
 * the run log. Generous process timeouts: a start costs 1–2 s on a loaded machine, and the pipeline's
 * run a few seconds more; every wait is on a condition (the process exiting), never a fixed sleep.
 */
const chartPromoter = chartPromoterProcess(150_000);
const TEST_TIMEOUT = 180_000;

describe('chart-promoter push (the real command, the embedded pipeline)', () => {
  let dir: string;
  let runtime: LocalRuntime;

  /** A chart archive file `<name>-<version>.tgz` (as `helm package` names it). */
  const archive = async (
    name: string,
    version: string,
    files: Record<string, string> = {},
  ): Promise<string> => {
    const file = path.join(dir, `${name}-${version}.tgz`);
    await writeFile(file, await buildChart(name, version, files));
    return file;
  };
  /** Declares a dependency it does not vendor AND has values that are not a map: two refusals. */
  const twiceBroken = {
    'Chart.yaml':
      'apiVersion: v2\nname: twice\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n',
    'values.yaml': '- not\n- a map\n',
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cli-push-'));
    // One environment, direct commits; static checks only (helm's render is tested elsewhere).
    runtime = await startLocalRuntime({ workdir: path.join(dir, 'local'), policy: null });
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(
    '--wait reads the outcome from the tags: "promoted … commit <sha>", exit 0; plain progress lines off a terminal',
    async () => {
      // Prepare
      const file = await archive('waited', '1.0.0');

      // Act
      const run = await chartPromoter('push', file, '--endpoint', runtime.s3.endpoint, '--wait');

      // Assess
      expect(run.code, run.stderr).toBe(0);
      const head = await runGit(dir, ['--git-dir', runtime.clusterRepo, 'rev-parse', runtime.branch]);
      expect(run.stdout).toBe(
        `uploaded s3://charts/incoming/waited-1.0.0.tgz (${sizeOf(run.stdout)})\npromoted waited 1.0.0 to dev: commit ${head}\n`,
      );
      // Off a terminal: one plain line per step, no bar, nothing redrawn.
      expect(run.stderr).not.toMatch(/\r|\[#|\u001b/);
      expect(run.stderr).toContain('checked waited 1.0.0: passes');
      expect(run.stderr).toContain('uploading waited-1.0.0.tgz');
      expect(run.stderr).toContain("waiting for the pipeline's outcome in the object's outcome tags");
    },
    TEST_TIMEOUT,
  );

  it(
    '--wait --workdir reads the run log: a refusal with every code and message, chart and version, exit 1',
    async () => {
      // Prepare
      const file = await archive('twice', '1.0.0', twiceBroken);

      // Act: --no-check, so the pipeline (not push) refuses it.
      const run = await chartPromoter(
        'push',
        file,
        '--endpoint',
        runtime.s3.endpoint,
        '--no-check',
        '--wait',
        '--workdir',
        path.join(dir, 'local'),
        '--json',
      );

      // Assess
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toBe('');
      const document = JSON.parse(run.stdout);
      expect(document).toMatchObject({
        ok: false,
        uri: 's3://charts/incoming/twice-1.0.0.tgz',
        outcome: { status: 'refused', chart: 'twice', version: '1.0.0', environment: 'dev' },
      });
      const refusals = document.outcome.refusals as { code: string; message: string }[];
      expect(refusals.map((r) => r.code).sort()).toEqual(['CHART_DEPENDENCY_MISSING', 'VALUES_INVALID']);
      expect(refusals.every((r) => r.message.length > 0)).toBe(true);
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses before uploading what intake would refuse: every code, exit 1, no object in the bucket',
    async () => {
      // Prepare
      const file = await archive('precheck', '1.0.0', { 'values.yaml': '- not a map\n' });

      // Act
      const run = await chartPromoter('push', file, '--endpoint', runtime.s3.endpoint, '--wait');

      // Assess
      expect(run.code, run.stderr).toBe(1);
      expect(run.stdout).toMatch(
        /^precheck-1\.0\.0\.tgz: refused \(VALUES_INVALID\)\nVALUES_INVALID {2}values\.yaml {2}/,
      );
      expect(run.stderr).toContain('nothing uploaded');
      await expect(
        runtime.s3.client.send(
          new HeadObjectCommand({ Bucket: runtime.bucket, Key: 'incoming/precheck-1.0.0.tgz' }),
        ),
      ).rejects.toMatchObject({ name: 'NotFound' });
    },
    TEST_TIMEOUT,
  );

  it(
    'says what is known when no outcome comes within --timeout: a distinct message, exit 1',
    async () => {
      // Prepare: an S3 endpoint with no pipeline behind it, so nothing ever tags the object.
      const s3Dir = await mkdtemp(path.join(dir, 's3-only-'));
      const bare: S3Endpoint = await startS3Endpoint({ directory: s3Dir, bucket: 'charts' });
      try {
        const file = await archive('unanswered', '1.0.0');

        // Act
        const run = await chartPromoter(
          'push',
          file,
          '--endpoint',
          bare.endpoint,
          '--wait',
          '--timeout',
          '3s',
          '--json',
        );

        // Assess
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toMatch(
          /^chart-promoter: no outcome for s3:\/\/charts\/incoming\/unanswered-1\.0\.0\.tgz after 3s: it was uploaded at \S+, and the object's outcome tags has no outcome for it yet/,
        );
        expect(JSON.parse(run.stdout)).toMatchObject({
          ok: false,
          uri: 's3://charts/incoming/unanswered-1.0.0.tgz',
          outcome: null,
          errors: [{ code: 'WAIT_TIMEOUT' }],
        });
      } finally {
        await bare.close();
      }
    },
    TEST_TIMEOUT,
  );
});

describe('chart-promoter push: a refusal costs no upload', () => {
  let dir: string;
  let server: Server;
  const requests: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cli-push-nothing-'));
    // Stands where S3 would: records every request, answers none usefully.
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      request.resume();
      response.writeHead(500).end();
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  });

  afterAll(async () => {
    await new Promise((closed) => server.close(closed));
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'refuses a 60 MiB archive as ARCHIVE_TOO_LARGE without sending S3 a single request',
    async () => {
      // Prepare: 60 MiB (sparse: nothing is written, the size is what is checked).
      const file = path.join(dir, 'huge-1.0.0.tgz');
      const handle = await open(file, 'w');
      await handle.truncate(60 * 1024 * 1024);
      await handle.close();
      const { port } = server.address() as AddressInfo;

      // Act
      const run = await chartPromoter('push', file, '--endpoint', `http://127.0.0.1:${port}`, '--json');

      // Assess
      expect(run.code, run.stderr).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({
        ok: false,
        uploaded: false,
        errors: [{ code: 'ARCHIVE_TOO_LARGE', message: expect.stringContaining('60.0 MiB') }],
      });
      expect(requests).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'needs --wait for --timeout and --workdir (usage error, exit 2)',
    async () => {
      // Act
      const run = await chartPromoter(
        'push',
        path.join(dir, 'x-1.0.0.tgz'),
        '--endpoint',
        'http://127.0.0.1:9',
        '--timeout',
        '5m',
      );

      // Assess
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--timeout and --workdir go with --wait');
      expect(requests).toEqual([]);
    },
    TEST_TIMEOUT,
  );
});

/** The human size `push` printed (the archive's size depends on gzip). */
const sizeOf = (stdout: string): string => /\(([^)]+)\)/.exec(stdout)?.[1] ?? '';
