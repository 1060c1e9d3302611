import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

/**
 * The release ledger's one DynamoDB table (what the pipeline SAW happen; git stays the desired state).
 * One table, two kinds of item, told apart by the partition key's prefix:
 *
 *   release rows   pk = "release#<chart>"        sk = "env#<environment>"   (ports/release-ledger.ts)
 *   event replays  pk = "idempotency#feedback"   sk = <hash of the event>   (Powertools idempotency)
 *
 * Items that only matter for a while (idempotency records) carry `expiresAt` (epoch seconds), the
 * table's TTL attribute. The CDK construct (infra/ledger/release-ledger-table.ts) and the local
 * runtime (functions/local/local-dynamodb.ts) build the table from these names, so they cannot drift.
 */
export const LEDGER_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
} as const;

export const releaseKey = (chart: string, environment: string) => ({
  [LEDGER_TABLE.partitionKey]: `release#${chart}`,
  [LEDGER_TABLE.sortKey]: `env#${environment}`,
});

/** The partition that holds Powertools' idempotency records for Flux events (its `staticPkValue`). */
export const FEEDBACK_IDEMPOTENCY_PARTITION = 'idempotency#feedback';

/**
 * Creates the table where it does not exist yet (local runtime, tests; in AWS CDK creates it) and
 * waits until it is ACTIVE. Idempotent: an existing table is left as it is.
 */
export const ensureLedgerTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: LEDGER_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: LEDGER_TABLE.sortKey, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: LEDGER_TABLE.partitionKey, AttributeType: 'S' },
          { AttributeName: LEDGER_TABLE.sortKey, AttributeType: 'S' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((next) => setTimeout(next, 20));
  }
};
