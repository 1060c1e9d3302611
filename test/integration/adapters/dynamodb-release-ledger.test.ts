import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbReleaseLedger } from '../../../functions/adapters/ledger/dynamodb-release-ledger';
import { FEEDBACK_IDEMPOTENCY_PARTITION } from '../../../functions/adapters/ledger/ledger-keys';
import {
  LOCAL_DYNAMODB_CREDENTIALS,
  type LocalDynamoDb,
  startLocalDynamoDb,
} from '../../../functions/local/local-dynamodb';
import { LedgerConflictError, type ReleaseRecord } from '../../../functions/ports/release-ledger';
import { recordRelease } from '../../../functions/promotion/ledger/record-release';

const record = (chart: string, environment: string, over: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  chart,
  environment,
  version: '1.0.0',
  state: 'committed',
  since: '2026-01-01T00:00:00.000Z',
  runId: 'run-1',
  revision: 1,
  ...over,
});

// dynalite (https://github.com/architect/dynalite) implements DynamoDB's conditional PutItem,
// ConsistentRead and Query/Scan paging as the service documents them; these tests run against it.
describe('DynamoDbReleaseLedger on dynalite', () => {
  let db: LocalDynamoDb;
  let ledger: DynamoDbReleaseLedger;
  beforeAll(async () => {
    db = await startLocalDynamoDb();
    ledger = new DynamoDbReleaseLedger(db.client, db.tableName);
  });
  afterAll(() => db.close());

  it('writes a new record, reads it back whole, and refuses a second "new" write of it', async () => {
    // Prepare
    const first = record('get-put', 'dev', {
      pullRequest: { number: 3, url: 'https://example.test/pr/3', branch: 'promote/dev/x' },
      leadTimeMs: 1234,
      late: true,
    });
    // Act
    await ledger.put(first, undefined);
    const read = await ledger.get('get-put', 'dev');
    const again = ledger.put({ ...first, version: '2.0.0' }, undefined);
    // Assess
    expect(read).toEqual(first);
    await expect(again).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(again).rejects.toMatchObject({ code: 'LEDGER_CONFLICT', disposition: 'retryable' });
    expect(await ledger.get('get-put', 'staging')).toBeUndefined();
  });

  it('writes only over the revision read (compare-and-swap)', async () => {
    // Prepare
    await ledger.put(record('cas', 'dev'), undefined);
    // Act
    await ledger.put(record('cas', 'dev', { version: '1.1.0', revision: 2 }), 1);
    const stale = ledger.put(record('cas', 'dev', { version: '1.2.0', revision: 2 }), 1);
    // Assess
    await expect(stale).rejects.toBeInstanceOf(LedgerConflictError);
    expect((await ledger.get('cas', 'dev'))?.version).toBe('1.1.0');
  });

  it('loses no update under 20 concurrent read-modify-write writers', async () => {
    // Prepare: each writer appends its name to `reason`, retrying on conflict; a lost update would
    // drop a name.
    await ledger.put(record('race', 'dev', { reason: '' }), undefined);
    const writer = async (name: string): Promise<number> => {
      for (let conflicts = 0; ; conflicts++) {
        const current = (await ledger.get('race', 'dev'))!;
        try {
          await ledger.put(
            { ...current, reason: `${current.reason}${name};`, revision: current.revision + 1 },
            current.revision,
          );
          return conflicts;
        } catch (error) {
          if (!(error instanceof LedgerConflictError)) throw error;
        }
      }
    };
    const names = Array.from({ length: 20 }, (_, i) => `w${i}`);
    // Act
    const conflicts = await Promise.all(names.map(writer));
    // Assess
    const final = (await ledger.get('race', 'dev'))!;
    expect(final.revision).toBe(21);
    expect(final.reason!.split(';').filter(Boolean).sort()).toEqual([...names].sort());
    expect(conflicts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('recordRelease: concurrent observations of one record each land once (revision counts them)', async () => {
    // Prepare
    const at = '2026-01-01T00:00:00.000Z';
    const commits = Array.from({ length: 10 }, (_, i) => ({
      kind: 'committed' as const,
      chart: 'concurrent',
      environment: 'dev',
      at,
      version: `1.0.${i}`,
      runId: `run-${i}`,
      deadline: '2026-01-01T00:15:00.000Z',
    }));
    // Act
    const results = await Promise.all(commits.map((c) => recordRelease(ledger, c)));
    // Assess
    const final = (await ledger.get('concurrent', 'dev'))!;
    expect(final.revision).toBe(10);
    expect(results.every((r) => r.written)).toBe(true);
    expect(results.reduce((n, r) => n + r.conflicts, 0)).toBeGreaterThan(0);
  });

  it('lists releases by chart, by environment and all, sorted, without the idempotency rows', async () => {
    // Prepare
    const fresh = await startLocalDynamoDb();
    const own = new DynamoDbReleaseLedger(fresh.client, fresh.tableName);
    try {
      for (const [chart, environment] of [
        ['web', 'staging'],
        ['web', 'dev'],
        ['api', 'dev'],
      ] as const)
        await own.put(record(chart, environment), undefined);
      await fresh.client.send(
        new PutItemCommand({
          TableName: fresh.tableName,
          Item: { pk: { S: FEEDBACK_IDEMPOTENCY_PARTITION }, sk: { S: 'hash' }, status: { S: 'COMPLETED' } },
        }),
      );
      // Act
      const all = await own.list();
      const web = await own.list({ chart: 'web' });
      const dev = await own.list({ environment: 'dev' });
      const one = await own.list({ chart: 'web', environment: 'staging' });
      // Assess
      const pairs = (records: ReleaseRecord[]) => records.map((r) => `${r.chart}/${r.environment}`);
      expect(pairs(all)).toEqual(['api/dev', 'web/dev', 'web/staging']);
      expect(pairs(web)).toEqual(['web/dev', 'web/staging']);
      expect(pairs(dev)).toEqual(['api/dev', 'web/dev']);
      expect(pairs(one)).toEqual(['web/staging']);
      expect(all[0]).toEqual(record('api', 'dev'));
    } finally {
      await fresh.close();
    }
  });

  it('names a missing table LEDGER_MISCONFIGURED (terminal)', async () => {
    // Prepare
    const missing = new DynamoDbReleaseLedger(db.client, 'no-such-table');
    // Act
    const read = missing.get('web', 'dev');
    // Assess: DynamoDB answers ResourceNotFoundException for an unknown table.
    await expect(read).rejects.toMatchObject({ code: 'LEDGER_MISCONFIGURED', disposition: 'terminal' });
    await expect(missing.list()).rejects.toMatchObject({ code: 'LEDGER_MISCONFIGURED' });
  });

  it('names an unreachable endpoint LEDGER_UNAVAILABLE (retryable)', async () => {
    // Prepare: a stopped dynalite leaves a port nobody listens on.
    const stopped = await startLocalDynamoDb();
    await stopped.close();
    const client = new DynamoDBClient({
      endpoint: stopped.endpoint,
      region: 'us-east-1',
      credentials: LOCAL_DYNAMODB_CREDENTIALS,
      maxAttempts: 1,
    });
    const unreachable = new DynamoDbReleaseLedger(client, stopped.tableName);
    // Act
    const write = unreachable.put(record('web', 'dev'), undefined);
    // Assess
    await expect(write).rejects.toMatchObject({ code: 'LEDGER_UNAVAILABLE', disposition: 'retryable' });
    client.destroy();
  });
});
