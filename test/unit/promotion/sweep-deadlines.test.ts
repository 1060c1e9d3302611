import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { RecordedMetrics } from '../../../functions/local/recorded-metrics';
import {
  LedgerConflictError,
  type ReleaseLedger,
  type ReleaseRecord,
} from '../../../functions/ports/release-ledger';
import { InMemoryScheduler } from '../../../functions/ports/scheduler';
import { sweepDeadlines } from '../../../functions/promotion/ledger/sweep-deadlines';

/** A ledger in a Map with the port's compare-and-swap (the DynamoDB adapter is tested on dynalite). */
class MapLedger implements ReleaseLedger {
  readonly records = new Map<string, ReleaseRecord>();
  async get(chart: string, environment: string) {
    return this.records.get(`${chart}/${environment}`);
  }
  async put(record: ReleaseRecord, expected: number | undefined) {
    const key = `${record.chart}/${record.environment}`;
    if (this.records.get(key)?.revision !== expected)
      throw new LedgerConflictError(record.chart, record.environment, expected);
    this.records.set(key, record);
  }
  async list() {
    return [...this.records.values()];
  }
}

const NOW = new Date('2026-01-01T01:00:00.000Z');
const committed = (chart: string, over: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  chart,
  environment: 'dev',
  version: '1.1.0',
  previousVersion: '1.0.0',
  state: 'committed',
  since: '2026-01-01T00:00:00.000Z',
  committedAt: '2026-01-01T00:00:00.000Z',
  deadline: '2026-01-01T00:15:00.000Z',
  runId: `run-${chart}`,
  revision: 1,
  ...over,
});

const sweep = async (records: ReleaseRecord[]) => {
  const ledger = new MapLedger();
  for (const record of records) await ledger.put(record, undefined);
  const metrics = new RecordedMetrics();
  const scheduler = new InMemoryScheduler();
  const logger = new Logger({ logLevel: 'SILENT' });
  const swept = await sweepDeadlines({
    ledger,
    clock: { now: () => NOW },
    metrics,
    logger,
    scheduler,
    newRunId: () => 'new',
  });
  return { ledger, metrics, scheduler, swept };
};

describe('sweepDeadlines', () => {
  it('marks only committed records past their deadline, counting each once', async () => {
    // Act
    const { ledger, metrics, swept } = await sweep([
      committed('overdue'),
      committed('in-time', { deadline: '2026-01-01T01:15:00.000Z' }),
      committed('converged', { state: 'converged' }),
      committed('proposed', { state: 'proposed', deadline: undefined }),
    ]);
    // Assess
    expect(swept.map((s) => s.chart)).toEqual(['overdue']);
    expect(await ledger.get('overdue', 'dev')).toMatchObject({
      state: 'not-converged',
      reason: 'DEADLINE',
      since: NOW.toISOString(),
      revision: 2,
    });
    expect((await ledger.get('in-time', 'dev'))?.state).toBe('committed');
    expect(metrics.recorded).toEqual([
      { name: 'ReleaseNotConverged', value: 1, unit: 'Count', dimensions: { environment: 'dev' } },
    ]);
  });

  it('with autoRollback sends a rollback command to the previous version, never for a rollback', async () => {
    // Act
    const { scheduler, swept } = await sweep([
      committed('auto', { autoRollback: true }),
      committed('manual'),
      committed('first', { autoRollback: true, previousVersion: undefined }),
      committed('undo', { autoRollback: true, runId: 'rollback-abc' }),
    ]);
    // Assess
    expect(swept).toHaveLength(4);
    expect(scheduler.pending.map((p) => p.command)).toEqual([
      {
        chartPromoter: 'rollback',
        chart: 'auto',
        environment: 'dev',
        toVersion: '1.0.0',
        runId: 'rollback-new',
      },
    ]);
    expect(scheduler.pending[0]!.notBefore).toEqual(NOW);
  });

  it('running again finds nothing more to do', async () => {
    // Prepare
    const first = await sweep([committed('overdue', { autoRollback: true })]);
    // Act
    const again = await sweepDeadlines({
      ledger: first.ledger,
      clock: { now: () => NOW },
      metrics: first.metrics,
      logger: new Logger({ logLevel: 'SILENT' }),
      scheduler: first.scheduler,
      newRunId: () => 'new',
    });
    // Assess
    expect(again).toEqual([]);
    expect(first.scheduler.pending).toHaveLength(1);
    expect(first.metrics.total('ReleaseNotConverged')).toBe(1);
  });
});
