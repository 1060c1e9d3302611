import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../functions/adapters/s3-object-store';
import { PromoterError } from '../../../functions/errors';
import { S3RVER_CREDENTIALS, startS3Endpoint } from '../../../functions/local/s3-endpoint';
import type { GitHost } from '../../../functions/ports/git-host';
import { GitHostError } from '../../../functions/ports/git-host-error';
import type { ObjectStore } from '../../../functions/ports/object-store';
import {
  eventBridgeRecord,
  FIXTURE_CHARTS,
  logObjects,
  newPipeline,
  rawRecord,
  s3NotificationRecord,
  useWorld,
} from '../../support/pipeline/harness';
import { buildChart } from '../../support/tar-fixtures';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** A thin GitHost over the real one whose commits fail as a host outage would (retryable). */
const unavailableOnCommit = (inner: GitHost): GitHost => ({
  kind: inner.kind,
  location: inner.location,
  snapshot: (branch, request) => inner.snapshot(branch, request),
  commit: async () => {
    throw new GitHostError('HOST_UNAVAILABLE', `cannot reach ${inner.location} (ECONNRESET)`);
  },
});

/** A thin ObjectStore over the real one that answers SlowDown for some keys (S3 throttling). */
const throttledFor = (inner: ObjectStore, keys: ReadonlySet<string>): ObjectStore => ({
  get: async (ref, options) => {
    if (keys.has(ref.key)) {
      throw new PromoterError(
        'OBJECT_STORE_UNAVAILABLE',
        'retryable',
        `GetObject s3://${ref.bucket}/${ref.key} failed: SlowDown HTTP 503`,
      );
    }
    return inner.get(ref, options);
  },
  tag: (ref, tags) => inner.tag(ref, tags),
});

describe('handleSqsBatch: SQS batches of real S3 event shapes, s3rver and a local git repository', () => {
  const world = useWorld();

  it('promotes a chart announced by an S3 notification: one commit, tagged promoted, no failure', async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const object = await world.upload('incoming/alpha-1.0.0.tgz', await buildChart('alpha', '1.0.0'));
    const commitsBefore = await pipeline.commitCount();

    // Act
    const { response, outcomes } = await pipeline.run(s3NotificationRecord(object));

    // Assess
    const head = await pipeline.head();
    expect(response.batchItemFailures).toEqual([]);
    expect(await pipeline.commitCount()).toBe(commitsBefore + 1);
    expect(outcomes).toMatchObject([
      { status: 'promoted', chart: 'alpha', version: '1.0.0', environment: 'dev', commit: head },
    ]);
    expect(await world.tags(object.key)).toEqual({
      'chart-promoter/status': 'promoted',
      'chart-promoter/run-id': outcomes[0]!.runId,
      'chart-promoter/environment': 'dev',
      'chart-promoter/chart': 'alpha',
      'chart-promoter/version': '1.0.0',
      'chart-promoter/commit': head,
    });
    const files = (await pipeline.git('show', '--name-only', '--format=', head)).split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        'charts/alpha/1.0.0/Chart.yaml',
        'environments/dev/alpha.yaml',
        'environments/dev/kustomization.yaml',
      ]),
    );
  });

  it('promotes a chart announced by an EventBridge "Object Created" event the same way', async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const object = await world.upload('incoming/bridged-2.0.0.tgz', await buildChart('bridged', '2.0.0'));

    // Act
    const { response, outcomes } = await pipeline.run(eventBridgeRecord(object));

    // Assess
    const head = await pipeline.head();
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes).toMatchObject([{ status: 'promoted', chart: 'bridged', commit: head }]);
    expect(await world.tags(object.key)).toMatchObject({
      'chart-promoter/status': 'promoted',
      'chart-promoter/commit': head,
    });
  });

  it('refuses a bad version and a missing dependency: tagged refused with the code, no commit, no retry', async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const badVersion = await world.upload('incoming/beta-one.two.tgz', await buildChart('beta', 'one.two'));
    const argo = await world.upload(
      'incoming/argo-cd-10.1.1.tgz',
      await readFile(path.join(FIXTURE_CHARTS, 'argo-cd-10.1.1-missing-dependency.tgz')),
    );
    const headBefore = await pipeline.head();

    // Act
    const { response, outcomes } = await pipeline.run(
      s3NotificationRecord(badVersion),
      eventBridgeRecord(argo),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(await pipeline.head()).toBe(headBefore);
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([
      ['refused', 'CHART_VERSION_INVALID'],
      ['refused', 'CHART_DEPENDENCY_MISSING'],
    ]);
    expect(await world.tags(badVersion.key)).toEqual({
      'chart-promoter/status': 'refused',
      'chart-promoter/run-id': outcomes[0]!.runId,
      'chart-promoter/environment': 'dev',
      'chart-promoter/code': 'CHART_VERSION_INVALID',
      // S3 tag values allow letters, digits, spaces and _ . : / = + - @ only (s3-tags.ts).
      'chart-promoter/message': 'chart version _one.two_ is not a SemVer 2 string',
      'chart-promoter/path': 'Chart.yaml',
    });
    // Chart.yaml was read: the refusal names the chart and version (runs, tags, push --wait).
    expect(outcomes[0]).not.toHaveProperty('chart');
    expect(outcomes[1]).toMatchObject({ chart: 'argo-cd', version: '10.1.1' });
    expect(await world.tags(argo.key)).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'CHART_DEPENDENCY_MISSING',
      'chart-promoter/chart': 'argo-cd',
      'chart-promoter/version': '10.1.1',
    });
  });

  it('keeps every refusal of an archive with several: the first as code/message, all in refusals, codes tagged', async () => {
    // Prepare: a missing dependency AND default values that are not a map.
    const pipeline = await newPipeline(world);
    const twice = await world.upload(
      'incoming/twice-1.0.0.tgz',
      await buildChart('twice', '1.0.0', {
        'Chart.yaml':
          'apiVersion: v2\nname: twice\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n',
        'values.yaml': '- not\n- a map\n',
      }),
    );

    // Act
    const { outcomes } = await pipeline.run(eventBridgeRecord(twice));

    // Assess
    const [outcome] = outcomes;
    expect(outcome).toMatchObject({ status: 'refused', chart: 'twice', version: '1.0.0' });
    const codes = outcome?.refusals?.map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['CHART_DEPENDENCY_MISSING', 'VALUES_INVALID']));
    expect(codes).toHaveLength(2);
    expect(outcome?.code).toBe(codes?.[0]);
    expect(outcome?.message).toBe(outcome?.refusals?.[0]?.message);
    expect(outcome?.message).not.toContain('more');
    expect(await world.tags(twice.key)).toMatchObject({
      'chart-promoter/code': codes?.[0],
      'chart-promoter/codes': codes?.join(' '),
      'chart-promoter/chart': 'twice',
    });
  });

  it('reports a Git host outage as a batch item failure, and tags nothing as promoted', async () => {
    // Prepare
    const pipeline = await newPipeline(world, (deps) => ({ host: unavailableOnCommit(deps.host) }));
    const object = await world.upload('incoming/gamma-1.0.0.tgz', await buildChart('gamma', '1.0.0'));
    const record = s3NotificationRecord(object);
    const headBefore = await pipeline.head();

    // Act
    const { response, outcomes } = await pipeline.run(record);

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(outcomes).toMatchObject([{ status: 'retry', code: 'HOST_UNAVAILABLE', chart: 'gamma' }]);
    expect(await pipeline.head()).toBe(headBefore);
    expect(await world.tags(object.key)).toEqual({});
  });

  it('reports an unreachable S3 endpoint as a batch item failure', async () => {
    // Prepare: a second s3rver, closed, so its port refuses connections.
    const closed = await startS3Endpoint({ directory: path.join(world.dir, 'closed-s3'), bucket: 'charts' });
    await closed.close();
    const client = new S3Client({
      endpoint: closed.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      maxAttempts: 1,
    });
    const pipeline = await newPipeline(world, () => ({
      store: new S3ObjectStore({ client, sizeRetry: { attempts: 1, delayMs: 0 } }),
    }));
    const object = await world.upload('incoming/delta-1.0.0.tgz', await buildChart('delta', '1.0.0'));
    const record = s3NotificationRecord(object);

    // Act
    const { response, outcomes } = await pipeline.run(record);

    // Assess
    client.destroy();
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(outcomes).toMatchObject([{ status: 'retry', code: 'OBJECT_STORE_UNAVAILABLE' }]);
    expect(await world.tags(object.key)).toEqual({});
  });

  it('commits only the accepted charts of a mixed batch and fails only the transient record', async () => {
    // Prepare
    const throttledKey = 'incoming/throttled-1.0.0.tgz';
    const pipeline = await newPipeline(world, (deps) => ({
      store: throttledFor(deps.store, new Set([throttledKey])),
    }));
    const one = await world.upload('incoming/mixed-one-1.0.0.tgz', await buildChart('mixed-one', '1.0.0'));
    const two = await world.upload('incoming/mixed-two-0.2.0.tgz', await buildChart('mixed-two', '0.2.0'));
    const refused = await world.upload('incoming/mixed-bad-x.tgz', await buildChart('mixed-bad', 'x'));
    const outside = await world.upload(
      'elsewhere/mixed-out-1.0.0.tgz',
      await buildChart('mixed-out', '1.0.0'),
    );
    const notTgz = await world.upload('incoming/notes.txt', new TextEncoder().encode('not a chart'));
    const throttled = await world.upload(throttledKey, await buildChart('throttled', '1.0.0'));
    const records = [
      s3NotificationRecord(one),
      eventBridgeRecord(two),
      s3NotificationRecord(refused),
      s3NotificationRecord(outside),
      eventBridgeRecord(notTgz),
      s3NotificationRecord(throttled),
    ];
    const commitsBefore = await pipeline.commitCount();

    // Act
    const { response, outcomes } = await pipeline.run(...records);

    // Assess
    const head = await pipeline.head();
    expect(await pipeline.commitCount()).toBe(commitsBefore + 1);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[5]!.messageId }]);
    expect(outcomes.map((o) => [o.status, o.code ?? null])).toEqual([
      ['promoted', null],
      ['promoted', null],
      ['refused', 'CHART_VERSION_INVALID'],
      ['ignored', 'OUTSIDE_PREFIX'],
      ['ignored', 'NOT_A_CHART_ARCHIVE'],
      ['retry', 'OBJECT_STORE_UNAVAILABLE'],
    ]);
    const changed = await pipeline.git('show', '--name-only', '--format=', head);
    const charts = [
      ...new Set(
        changed
          .split('\n')
          .filter((f) => f.startsWith('charts/'))
          .map((f) => f.split('/')[1]),
      ),
    ];
    expect(charts.sort()).toEqual(['mixed-one', 'mixed-two']);
    expect(await world.tags(one.key)).toMatchObject({
      'chart-promoter/status': 'promoted',
      'chart-promoter/commit': head,
    });
    expect(await world.tags(two.key)).toMatchObject({
      'chart-promoter/status': 'promoted',
      'chart-promoter/commit': head,
    });
    expect(await world.tags(refused.key)).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'CHART_VERSION_INVALID',
    });
    for (const untouched of [outside, notTgz, throttled]) expect(await world.tags(untouched.key)).toEqual({});
  });

  it('commits once for the same object delivered 5 times in a batch, and not again in a later batch', async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const object = await world.upload('incoming/echo-1.2.3.tgz', await buildChart('echo', '1.2.3'));
    const deliveries = [
      s3NotificationRecord(object),
      s3NotificationRecord(object),
      eventBridgeRecord(object),
      s3NotificationRecord(object),
      eventBridgeRecord(object),
    ];
    const commitsBefore = await pipeline.commitCount();

    // Act
    const first = await pipeline.run(...deliveries);
    const second = await pipeline.run(s3NotificationRecord(object), eventBridgeRecord(object));

    // Assess
    const head = await pipeline.head();
    expect(await pipeline.commitCount()).toBe(commitsBefore + 1);
    expect(first.response.batchItemFailures).toEqual([]);
    expect(first.outcomes.map((o) => o.status)).toEqual(Array(5).fill('promoted'));
    expect(new Set(first.outcomes.map((o) => o.commit))).toEqual(new Set([head]));
    expect(second.response.batchItemFailures).toEqual([]);
    expect(second.outcomes.map((o) => o.status)).toEqual(['unchanged', 'unchanged']);
    // A redelivery re-tags the object "unchanged" (PutObjectTagging replaces the set): the commit
    // that carried the chart is then in the repository's history, no longer in the tags.
    expect(await world.tags(object.key)).toMatchObject({
      'chart-promoter/status': 'unchanged',
      'chart-promoter/environment': 'dev',
      'chart-promoter/run-id': second.outcomes[0]!.runId,
    });
  });

  // The EventBridge rule forwards `<prefix>*Chart.yaml` and archives (infra/intake/chart-intake.ts): the
  // events a recursive upload of a chart directory (aws s3 cp --recursive) sends in AWS.
  it("refuses a chart directory's Chart.yaml as CHART_NOT_PACKAGED and ignores its vendored dependency, committing nothing", async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const chartYaml = await world.upload(
      'incoming/umbrella/Chart.yaml',
      new TextEncoder().encode('apiVersion: v2\nname: umbrella\nversion: 1.0.0\n'),
    );
    const dependency = await world.upload(
      'incoming/umbrella/charts/redis-17.3.0.tgz',
      await buildChart('redis', '17.3.0'),
    );
    const commitsBefore = await pipeline.commitCount();

    // Act
    const { response, outcomes } = await pipeline.run(
      eventBridgeRecord(chartYaml),
      eventBridgeRecord(dependency),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes.map((o) => [o.status, o.code, o.environment ?? null])).toEqual([
      ['refused', 'CHART_NOT_PACKAGED', 'dev'],
      ['ignored', 'VENDORED_DEPENDENCY', null],
    ]);
    expect(outcomes[0]?.message).toContain('helm package <chart dir>');
    expect(await world.tags('incoming/umbrella/Chart.yaml')).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'CHART_NOT_PACKAGED',
    });
    expect(await world.tags('incoming/umbrella/charts/redis-17.3.0.tgz')).toEqual({});
    expect(pipeline.metrics.total('ChartsRefused')).toBe(1);
    expect(await pipeline.commitCount()).toBe(commitsBefore);
  });

  it('finds, promotes and tags an object whose key has a space and a "+" (encoded as S3 sends it)', async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const object = await world.upload(
      'incoming/team a/my+chart 1.0.0.tgz',
      await buildChart('my-chart', '1.0.0'),
    );
    const record = s3NotificationRecord(object);

    // Act
    const { response, outcomes } = await pipeline.run(record);

    // Assess
    expect(JSON.parse(record.body).Records[0].s3.object.key).toBe('incoming/team+a/my%2Bchart+1.0.0.tgz');
    expect(response.batchItemFailures).toEqual([]);
    expect(outcomes).toMatchObject([
      { status: 'promoted', key: 'incoming/team a/my+chart 1.0.0.tgz', chart: 'my-chart' },
    ]);
    expect(await world.tags('incoming/team a/my+chart 1.0.0.tgz')).toMatchObject({
      'chart-promoter/status': 'promoted',
      'chart-promoter/commit': await pipeline.head(),
    });
  });

  it('keeps unreadable message bodies for the dead-letter queue, logged; skips an s3:TestEvent; promotes the rest', async () => {
    // Prepare
    const pipeline = await newPipeline(world);
    const object = await world.upload('incoming/foxtrot-1.0.0.tgz', await buildChart('foxtrot', '1.0.0'));
    const notJson = rawRecord('this is not json {');
    const notAnEvent = rawRecord('{"hello":"world"}');
    const good = s3NotificationRecord(object);
    // Sent by S3 when a notification is configured: readable, nothing to do, so not kept for the DLQ.
    const testEvent = rawRecord(
      await readFile(path.join(repoRoot, 'test/fixtures/events/s3-test-event.json'), 'utf8'),
    );

    // Act
    const { response, outcomes } = await pipeline.run(notJson, good, testEvent, notAnEvent);

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: notJson.messageId },
      { itemIdentifier: notAnEvent.messageId },
    ]);
    expect(outcomes).toMatchObject([{ status: 'promoted', chart: 'foxtrot' }]);
    const errors = logObjects(pipeline.lines).filter((line) => line.level === 'ERROR');
    expect(errors.map((line) => line.messageId).sort()).toEqual(
      [notJson.messageId, notAnEvent.messageId].sort(),
    );
    expect(errors.every((line) => typeof line.reason === 'string' && line.reason !== '')).toBe(true);
    expect(logObjects(pipeline.lines).some((line) => line.messageId === testEvent.messageId)).toBe(true);
  });
});
