import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureLedgerTable, LEDGER_TABLE, releaseKey } from '../../../functions/adapters/ledger/ledger-table';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../../functions/local/local-dynamodb';

const key = Object.fromEntries(Object.entries(releaseKey('web', 'dev')).map(([k, v]) => [k, { S: v }]));
const item = (version: string) => ({ ...key, version: { S: version } });

describe('local DynamoDB (dynalite) with the ledger table', () => {
  const started: LocalDynamoDb[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((db) => db.close()));
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('creates the table with the shared key schema, ACTIVE at once, and creating it again changes nothing', async () => {
    // Prepare
    const db = await startLocalDynamoDb();
    started.push(db);
    // Act
    await ensureLedgerTable(db.client, db.tableName);
    const { Table } = await db.client.send(new DescribeTableCommand({ TableName: db.tableName }));
    // Assess
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: LEDGER_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
  });

  it('refuses a conditional write whose condition no longer holds, as DynamoDB does', async () => {
    // Prepare
    const db = await startLocalDynamoDb();
    started.push(db);
    const put = (version: string) =>
      db.client.send(
        new PutItemCommand({
          TableName: db.tableName,
          Item: item(version),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    await put('1.0.0');
    // Act
    const second = put('2.0.0');
    // Assess
    await expect(second).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('keeps its data across restarts when given a directory', async () => {
    // Prepare
    const directory = await mkdtemp(join(tmpdir(), 'ledger-'));
    dirs.push(directory);
    const first = await startLocalDynamoDb({ directory });
    await first.client.send(new PutItemCommand({ TableName: first.tableName, Item: item('1.0.0') }));
    await first.close();
    // Act
    const second = await startLocalDynamoDb({ directory });
    started.push(second);
    const { Item } = await second.client.send(
      new GetItemCommand({
        TableName: second.tableName,
        Key:
          item('1.0.0') &&
          Object.fromEntries(Object.entries(releaseKey('web', 'dev')).map(([k, v]) => [k, { S: v }])),
      }),
    );
    // Assess
    expect(Item?.version).toEqual({ S: '1.0.0' });
  });
});
