import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chart } from '../../../functions/chart/chart';
import { intakeChart } from '../../../functions/chart/intake';
import type { IssueNotifier, PromotionNotice } from '../../../functions/ports/issue-notifier';
import { staticKeyring } from '../../../functions/ports/keyring-source';
import { signChart } from '../../../functions/provenance/sign-chart';
import { generateSigningKey, type SigningKey } from '../../../functions/provenance/signing-key';
import { scaledTimeout } from '../../support/machine-speed';
import {
  BRANCH,
  BUCKET,
  eventBridgeRecord,
  logObjects,
  newPipeline,
  type Pipeline,
  PREFIX,
  s3NotificationRecord,
  startWorld,
  type World,
} from '../../support/pipeline/harness';
import { buildChart } from '../../support/tar-fixtures';

/**
 * The promote pipeline (s3rver + bare git repository) with `requireProvenance: true` in the cluster
 * repository's policy: only charts whose `.prov` verifies against the keyring are committed.
 */
const POLICY = 'environments:\n  - name: dev\nrequireProvenance: true\n';
const encoder = new TextEncoder();

let world: World;
let key: SigningKey;

const chartOf = async (bytes: Uint8Array): Promise<Chart> => {
  const result = await intakeChart(bytes);
  if (!result.ok) throw new Error('fixture refused');
  return result.chart;
};

class RecordingNotifier implements IssueNotifier {
  readonly calls: { keys: readonly string[]; notice: PromotionNotice }[] = [];
  async promoted(keys: readonly string[], notice: PromotionNotice): Promise<void> {
    this.calls.push({ keys, notice });
  }
}

const withPolicy = async (overrides: Parameters<typeof newPipeline>[1]): Promise<Pipeline> => {
  const pipeline = await newPipeline(world, overrides);
  const head = await pipeline.head();
  await pipeline.deps.host.commit(BRANCH, head, {
    message: 'policy',
    changes: [{ path: '.chart-promoter.yaml', content: encoder.encode(POLICY) }],
  });
  return pipeline;
};

const putObject = (Key: string, Body: Uint8Array | string, Metadata?: Record<string, string>) =>
  world.s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, Metadata }));

beforeAll(async () => {
  [world, key] = await Promise.all([startWorld(), generateSigningKey('Pipeline Signer')]);
}, scaledTimeout(30_000));
afterAll(async () => world?.close());

describe('promote pipeline with requireProvenance: true', () => {
  it('commits a signed chart, with its issue keys as Refs trailers, and tells the issue tracker', async () => {
    // Prepare: chart annotation DEMO-1, upload metadata OPS-7 and a key that is not one.
    const bytes = await buildChart('signed', '1.0.0', {
      'Chart.yaml':
        'apiVersion: v2\nname: signed\nversion: 1.0.0\nannotations:\n  chart-promoter/issues: DEMO-1\n',
    });
    const notifier = new RecordingNotifier();
    const pipeline = await withPolicy(() => ({
      keyring: staticKeyring(key.publicKey),
      issueNotifier: notifier,
    }));
    const objectKey = `${PREFIX}signed-1.0.0.tgz`;
    await putObject(`${objectKey}.prov`, await signChart(bytes, await chartOf(bytes), key.privateKey));
    await putObject(objectKey, bytes, { 'chart-promoter-issues': 'OPS-7, not-a-key' });
    // Act
    const result = await pipeline.run(
      eventBridgeRecord({ key: objectKey, size: bytes.byteLength, etag: '' }),
    );
    // Assess
    expect(result.response.batchItemFailures).toEqual([]);
    expect(await world.tags(objectKey)).toMatchObject({ 'chart-promoter/status': 'promoted' });
    const message = await pipeline.git('log', '-1', '--format=%B', BRANCH);
    expect(message).toContain('promote signed 1.0.0 to dev');
    expect(await pipeline.git('log', '-1', '--format=%(trailers:key=Refs,valueonly)', BRANCH)).toBe(
      'DEMO-1\nOPS-7',
    );
    expect(await pipeline.git('show', `${BRANCH}:environments/dev/signed.yaml`)).toContain(
      'chart-promoter.io/issues: DEMO-1,OPS-7',
    );
    expect(notifier.calls).toEqual([
      {
        keys: ['DEMO-1', 'OPS-7'],
        notice: { chart: 'signed', version: '1.0.0', environment: 'dev', commit: await pipeline.head() },
      },
    ]);
    expect(logObjects(pipeline.lines).some((line) => JSON.stringify(line).includes('not-a-key'))).toBe(true);
  });

  it('refuses an unsigned chart with PROVENANCE_MISSING and commits nothing, then promotes it when its .prov arrives', async () => {
    // Prepare
    const bytes = await buildChart('late', '1.0.0');
    const pipeline = await withPolicy(() => ({ keyring: staticKeyring(key.publicKey) }));
    const objectKey = `${PREFIX}late-1.0.0.tgz`;
    await putObject(objectKey, bytes);
    const commits = await pipeline.commitCount();
    // Act 1: the chart alone
    await pipeline.run(s3NotificationRecord({ key: objectKey, size: bytes.byteLength, etag: '' }));
    // Assess 1
    expect(await world.tags(objectKey)).toMatchObject({
      'chart-promoter/status': 'refused',
      'chart-promoter/code': 'PROVENANCE_MISSING',
    });
    expect(await pipeline.commitCount()).toBe(commits);
    // Act 2: its .prov is uploaded after it (the event of the .prov re-runs the chart)
    const prov = await signChart(bytes, await chartOf(bytes), key.privateKey);
    await putObject(`${objectKey}.prov`, prov);
    await pipeline.run(s3NotificationRecord({ key: `${objectKey}.prov`, size: prov.length, etag: '' }));
    // Assess 2
    expect(await world.tags(objectKey)).toMatchObject({ 'chart-promoter/status': 'promoted' });
    expect(await pipeline.commitCount()).toBe(commits + 1);
  });

  it('refuses a tampered chart (genuine .prov of another archive) with PROVENANCE_INVALID', async () => {
    const genuine = await buildChart('tampered', '1.0.0');
    const altered = await buildChart('tampered', '1.0.0', { 'values.yaml': 'replicaCount: 99\n' });
    const pipeline = await withPolicy(() => ({ keyring: staticKeyring(key.publicKey) }));
    const objectKey = `${PREFIX}tampered-1.0.0.tgz`;
    await putObject(`${objectKey}.prov`, await signChart(genuine, await chartOf(genuine), key.privateKey));
    await putObject(objectKey, altered);
    const commits = await pipeline.commitCount();
    await pipeline.run(s3NotificationRecord({ key: objectKey, size: altered.byteLength, etag: '' }));
    expect(await world.tags(objectKey)).toMatchObject({ 'chart-promoter/code': 'PROVENANCE_INVALID' });
    expect(await pipeline.commitCount()).toBe(commits);
    await expect(pipeline.git('cat-file', '-e', `${BRANCH}:charts/tampered`)).rejects.toThrow();
  });

  it('keeps the upload for a retry (not refused) when the deployment has no keyring', async () => {
    const bytes = await buildChart('nokeyring', '1.0.0');
    const pipeline = await withPolicy(() => ({}));
    const objectKey = `${PREFIX}nokeyring-1.0.0.tgz`;
    await putObject(objectKey, bytes);
    const record = s3NotificationRecord({ key: objectKey, size: bytes.byteLength, etag: '' });
    const result = await pipeline.run(record);
    expect(result.response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(logObjects(pipeline.lines).some((line) => line.code === 'PROVENANCE_UNCONFIGURED')).toBe(true);
  });

  it('a notifier that fails is logged and the promotion still stands', async () => {
    const bytes = await buildChart('noisy', '1.0.0', {
      'Chart.yaml':
        'apiVersion: v2\nname: noisy\nversion: 1.0.0\nannotations:\n  chart-promoter/issues: DEMO-2\n',
    });
    const failing: IssueNotifier = { promoted: async () => Promise.reject(new Error('jira is down')) };
    const pipeline = await withPolicy(() => ({
      keyring: staticKeyring(key.publicKey),
      issueNotifier: failing,
    }));
    const objectKey = `${PREFIX}noisy-1.0.0.tgz`;
    await putObject(`${objectKey}.prov`, await signChart(bytes, await chartOf(bytes), key.privateKey));
    await putObject(objectKey, bytes);
    const result = await pipeline.run(
      s3NotificationRecord({ key: objectKey, size: bytes.byteLength, etag: '' }),
    );
    expect(result.response.batchItemFailures).toEqual([]);
    expect(await world.tags(objectKey)).toMatchObject({ 'chart-promoter/status': 'promoted' });
    expect(pipeline.lines.some((line) => line.includes('could not notify the issue tracker'))).toBe(true);
  });
});
