import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmReleaseEvent } from '../../../functions/local/flux-release-event';
import { type LocalRuntime, startLocalRuntime } from '../../../functions/local/local-runtime';
import { isPromotionRecord, readRunLog } from '../../../functions/local/run-log';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';
import type { ReleaseRecord } from '../../../functions/ports/release-ledger';
import { buildChart } from '../../support/tar-fixtures';

/**
 * The local runtime records every transition in its release ledger (dynalite on 127.0.0.1): uploads
 * committed to dev, Flux convergence, the next environments committed or proposed, and a commit Flux
 * never applies turning `not-converged` at its deadline (dev's convergeWithin: 2s) with a rollback.
 */
const POLICY = `environments:
  - name: dev
    convergeWithin: 2s
    autoRollback: true
  - name: staging
    after: dev
  - name: prod
    after: staging
    mode: pull-request
`;

/** Waits on a condition (never a fixed sleep), polling every 50 ms, up to 60 s. */
const until = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((next) => setTimeout(next, 50));
  }
};

describe('local runtime: the release ledger', () => {
  let workdir: string;
  let runtime: LocalRuntime;
  const outcomes = new Map<string, UploadOutcome>();
  const upload = async (chart: string, version: string): Promise<UploadOutcome> => {
    const key = `${runtime.prefix}${chart}-${version}.tgz`;
    await runtime.s3.client.send(
      new PutObjectCommand({ Bucket: runtime.bucket, Key: key, Body: await buildChart(chart, version) }),
    );
    return until(`${key}'s outcome`, async () => outcomes.get(key));
  };
  // signAndDeliver: the endpoint's 202, then the worker's result (the work runs from the queue).
  const healthy = (environment: string, chart: string, version: string, runId: string) =>
    runtime.signAndDeliver(
      helmReleaseEvent({
        namespace: environment,
        name: chart,
        reason: 'UpgradeSucceeded',
        revision: version,
        runId,
        timestamp: new Date(),
      }),
    );
  const record = (chart: string, environment: string) =>
    runtime.ledger.list({ chart, environment }).then((records) => records[0]);
  const recordIn = (chart: string, environment: string, state: ReleaseRecord['state']) =>
    until(`${chart} ${state} in ${environment}`, async () => {
      const found = await record(chart, environment);
      return found?.state === state ? found : undefined;
    });

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(tmpdir(), 'local-ledger-'));
    runtime = await startLocalRuntime({
      workdir,
      policy: POLICY,
      queue: { batchingWindowMs: 20 },
      schedulerIntervalMs: 50,
      // Swept by hand below, so that a loaded machine cannot turn the happy path not-converged
      // (the timer itself is exercised by the demo's test).
      deadlineSweepIntervalMs: 3_600_000,
      onOutcomes: (batch) => {
        for (const outcome of batch) outcomes.set(outcome.key, outcome);
      },
    });
  });

  afterAll(async () => {
    await runtime?.close();
    await rm(workdir, { recursive: true, force: true });
  });

  it('records an upload committed, converged, promoted and proposed: dev and staging converged, prod proposed', async () => {
    // Prepare
    const uploaded = await upload('led-web', '1.0.0');
    const committed = await record('led-web', 'dev');

    // Act
    const devReady = await healthy('dev', 'led-web', '1.0.0', uploaded.runId);
    await runtime.promotionsIdle();
    const staging = await recordIn('led-web', 'staging', 'committed');
    await healthy('staging', 'led-web', '1.0.0', uploaded.runId);
    const prod = await recordIn('led-web', 'prod', 'proposed');

    // Assess
    expect(committed).toMatchObject({
      state: 'committed',
      version: '1.0.0',
      runId: uploaded.runId,
      commit: uploaded.commit,
      deadline: expect.any(String),
      autoRollback: true,
    });
    expect(Date.parse(committed!.deadline!) - Date.parse(committed!.committedAt!)).toBe(2000);
    expect(devReady.worked?.status === 'handled' && devReady.worked.outcome).toMatchObject({
      status: 'converged',
    });
    expect(staging.deadline).toBeDefined();
    const dev = (await record('led-web', 'dev'))!;
    expect(dev).toMatchObject({ state: 'converged', leadTimeMs: expect.any(Number), revision: 2 });
    expect(await record('led-web', 'staging')).toMatchObject({ state: 'converged', revision: 2 });
    expect(prod).toMatchObject({ version: '1.0.0', branch: 'promote/prod/led-web', revision: 1 });
    // Ledger writes of this promotion: 2 in dev, 2 in staging, 1 in prod (5; a 6th when prod converges).
    const all = await runtime.ledger.list({ chart: 'led-web' });
    expect(all.reduce((writes, r) => writes + r.revision, 0)).toBe(5);
  });

  it('turns a commit Flux never applies not-converged at its deadline: metric, runs row, rollback to the previous version', async () => {
    // Prepare: 1.0.0 converges in dev; 1.1.0 is committed and never reported.
    const first = await upload('led-lost', '1.0.0');
    await healthy('dev', 'led-lost', '1.0.0', first.runId);
    await runtime.promotionsIdle();
    const second = await upload('led-lost', '1.1.0');

    const { deadline } = (await record('led-lost', 'dev'))!;
    await until('the deadline', async () => (Date.now() > Date.parse(deadline!) ? true : undefined));

    // Act
    const swept = await runtime.sweepDeadlines();
    await runtime.promotionsIdle();
    const rolledBack = await recordIn('led-lost', 'dev', 'rolled-back');
    const again = await runtime.sweepDeadlines();

    // Assess
    expect(second.status).toBe('promoted');
    expect(swept).toEqual([
      expect.objectContaining({ chart: 'led-lost', version: '1.1.0', rollback: expect.anything() }),
    ]);
    expect(again).toEqual([]);
    expect(
      runtime.metrics.recorded.filter((m) => m.name === 'ReleaseNotConverged' && m.value === 1),
    ).toHaveLength(1);
    expect(rolledBack).toMatchObject({ version: '1.0.0', previousVersion: '1.1.0', reason: 'DEADLINE' });
    const moves = (await readRunLog(runtime.runLog)).filter(isPromotionRecord);
    expect(moves).toContainEqual(
      expect.objectContaining({
        trigger: 'deadline',
        chart: 'led-lost',
        version: '1.1.0',
        environment: 'dev',
        status: 'not-converged',
        code: 'DEADLINE',
        runId: second.runId,
      }),
    );
    expect(moves).toContainEqual(
      expect.objectContaining({
        command: 'rollback',
        chart: 'led-lost',
        environment: 'dev',
        status: 'committed',
      }),
    );
  });
});
