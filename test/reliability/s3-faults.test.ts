import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClusterRepository } from '../../functions/local/cluster-repository';
import { localS3Client } from '../../functions/local/s3-endpoint';
import { handleSqsBatch } from '../../functions/pipeline/handle-sqs-batch';
import { runGit } from '../support/bare-repo';
import { startFaultProxy } from '../support/fault-proxy';
import {
  BRANCH,
  type Bucket,
  ENVIRONMENT,
  PREFIX,
  runThroughQueue,
  startBucket,
  wirePipeline,
} from '../support/pipeline/queue-rig';
import { ScenarioTally } from '../support/reliability/reliability-report';
import { auditBranch } from '../support/reliability/repo-audit';
import { buildChart } from '../support/tar-fixtures';

/**
 * Scenario 5: the bucket changing under the pipeline. Each fault has a documented outcome:
 * - deleted between event and read → `ignored` OBJECT_NOT_FOUND (nothing to promote, not retried);
 * - overwritten between event and read (s3rver has no versioning, so the key is read, not the
 *   version): the newest bytes are read; a size that differs from the event's is re-read for
 *   ~0.4 s (s3rver can announce a half-written object) and then accepted as the newest content;
 * - overwritten after promotion with other content under the same version → refused VERSION_IMMUTABLE;
 * - larger than maxArchiveBytes → refused ARCHIVE_TOO_LARGE before the body is downloaded, with or
 *   without a Content-Length (bytes counted by a proxy between the S3 client and s3rver);
 * - S3 answering 503 SlowDown → retried by the SDK, then by redelivery → promoted.
 */

/**
 * The SDK makes 3 attempts per GetObject and the store re-reads up to 5 times on a retryable error
 * (DEFAULT_SIZE_RETRY): 15 SlowDowns exhaust one invocation, so the message must come back.
 */
const SLOWDOWNS = 15;
const tally = new ScenarioTally('5 s3 faults');
let bucket: Bucket;
let serial = 0;

beforeAll(async () => {
  bucket = await startBucket();
});
afterAll(async () => {
  await bucket.close();
  await tally.finish();
});

const newPipeline = async (client = bucket.s3.client, maxArchiveBytes?: number) => {
  serial += 1;
  const repo = path.join(bucket.dir, `s3-faults-${serial}.git`);
  const host = await ensureClusterRepository(repo, BRANCH);
  const wiring = wirePipeline({ client, host, ...(maxArchiveBytes ? { limits: { maxArchiveBytes } } : {}) });
  const git = (...args: string[]) => runGit(repo, ['--git-dir', repo, ...args]);
  return {
    wiring,
    git,
    run: (...records: Parameters<typeof handleSqsBatch>[0]['Records']) =>
      handleSqsBatch({ Records: records }, wiring.deps, wiring.settings),
  };
};

describe('reliability 5: S3 faults', () => {
  it('object deleted between the event and the read: ignored OBJECT_NOT_FOUND, not retried, nothing committed', async () => {
    // Prepare
    const pipeline = await newPipeline();
    const record = await bucket.upload(`${PREFIX}gone-1.0.0.tgz`, await buildChart('gone', '1.0.0'));
    await bucket.remove(`${PREFIX}gone-1.0.0.tgz`);

    // Act
    const { response, outcomes } = await pipeline.run(record);

    // Assess
    const commits = (await auditBranch(pipeline.git, BRANCH, ENVIRONMENT)).commits.length;
    tally.add({ cases: 1, ignored: 1 });
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([['ignored', 'OBJECT_NOT_FOUND']]);
    expect(response.batchItemFailures).toEqual([]);
    expect(commits).toBe(1);
  });

  it('object overwritten with a different size before the read: the newest bytes are promoted, once', async () => {
    // Prepare
    const pipeline = await newPipeline();
    const key = `${PREFIX}moving.tgz`;
    const first = await bucket.upload(key, await buildChart('moving', '1.0.0'));
    const second = await bucket.upload(
      key,
      await buildChart('moving', '1.0.1', { 'files/extra.txt': 'more\n' }),
    );

    // Act
    const started = Date.now();
    const early = await pipeline.run(first);
    const readMs = Date.now() - started;
    const late = await pipeline.run(second);

    // Assess
    const audit = await auditBranch(pipeline.git, BRANCH, ENVIRONMENT);
    tally.add({ cases: 2, committed: 1, ignored: 1 });
    tally.note(`overwritten object: event size differed, re-read for ${readMs} ms, newest version promoted`);
    expect(early.outcomes.map((o) => [o.status, o.version])).toEqual([['promoted', '1.0.1']]);
    expect(late.outcomes.map((o) => [o.status, o.version])).toEqual([['unchanged', '1.0.1']]);
    expect([...audit.chartAdds]).toEqual([['moving@1.0.1', 1]]);
    expect(audit.problems).toEqual([]);
    expect(readMs).toBeGreaterThanOrEqual(300);
  });

  it('object overwritten after promotion with other content under the same version: refused VERSION_IMMUTABLE', async () => {
    // Prepare
    const pipeline = await newPipeline();
    const key = `${PREFIX}fixed-1.0.0.tgz`;
    const first = await bucket.upload(key, await buildChart('fixed', '1.0.0'));
    await pipeline.run(first);
    const second = await bucket.upload(
      key,
      await buildChart('fixed', '1.0.0', { 'values.yaml': 'replicaCount: 9\n' }),
    );

    // Act
    const { response, outcomes } = await pipeline.run(second);

    // Assess
    const audit = await auditBranch(pipeline.git, BRANCH, ENVIRONMENT);
    tally.add({ cases: 2, committed: 1, refused: 1 });
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([['refused', 'VERSION_IMMUTABLE']]);
    expect(response.batchItemFailures).toEqual([]);
    expect([...audit.chartAdds]).toEqual([['fixed@1.0.0', 1]]);
    expect(await bucket.tags(key)).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'VERSION_IMMUTABLE',
    });
  });

  for (const stripContentLength of [false, true]) {
    it(`oversize object ${stripContentLength ? 'without' : 'with'} Content-Length: refused ARCHIVE_TOO_LARGE before the download completes`, async () => {
      // Prepare
      const size = 16 * 1024 * 1024;
      const limit = 1024 * 1024;
      const proxy = await startFaultProxy({ upstream: bucket.s3.endpoint, stripContentLength });
      const client = localS3Client(proxy.url);
      try {
        const pipeline = await newPipeline(client, limit);
        const key = `${PREFIX}huge-${stripContentLength ? 'chunked' : 'sized'}.tgz`;
        const record = await bucket.upload(key, randomBytes(size));

        // Act
        const { response, outcomes } = await pipeline.run(record);

        // Assess
        const transferred = proxy
          .exchanges()
          .filter((e) => e.method === 'GET' && !e.path.includes('tagging'))
          .reduce((sum, e) => sum + e.bytesToClient, 0);
        tally.add({ cases: 1, refused: 1 });
        tally.note(
          `${size / 1024 ** 2} MiB object, ${stripContentLength ? 'no' : 'with'} Content-Length: ${(transferred / 1024 ** 2).toFixed(2)} MiB reached the client`,
        );
        expect(outcomes.map((o) => [o.status, o.code])).toEqual([['refused', 'ARCHIVE_TOO_LARGE']]);
        expect(response.batchItemFailures).toEqual([]);
        expect(transferred).toBeLessThan(size / 2);
      } finally {
        client.destroy();
        await proxy.close();
      }
    });
  }

  it('S3 answering 503 SlowDown beyond the SDK retries: redelivered, then promoted', async () => {
    // Prepare
    const proxy = await startFaultProxy({ upstream: bucket.s3.endpoint });
    const client = localS3Client(proxy.url);
    try {
      const pipeline = await newPipeline(client);
      const record = await bucket.upload(`${PREFIX}slow-1.0.0.tgz`, await buildChart('slow', '1.0.0'));
      proxy.inject({
        method: 'GET',
        path: /slow-1\.0\.0\.tgz\?x-id=GetObject/,
        times: SLOWDOWNS,
        fault: {
          kind: 'status',
          status: 503,
          body: '<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>',
          headers: { 'content-type': 'application/xml' },
        },
      });

      // Act
      const run = await runThroughQueue(pipeline.wiring, [record], { maxReceives: 3 });

      // Assess
      const audit = await auditBranch(pipeline.git, BRANCH, ENVIRONMENT);
      const faults = proxy.exchanges().filter((e) => e.fault === 'status').length;
      tally.add({ cases: 1, committed: 1, retries: run.retries.length + faults });
      expect(faults).toBe(SLOWDOWNS);
      expect(run.retries.map((o) => o.code)).toEqual(['OBJECT_STORE_UNAVAILABLE']);
      expect(run.outcomes.map((o) => o.status)).toEqual(['promoted']);
      expect([...audit.chartAdds]).toEqual([['slow@1.0.0', 1]]);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
