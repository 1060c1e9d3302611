import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';

import { LEDGER_TABLE } from './ledger-keys';

export { FEEDBACK_IDEMPOTENCY_PARTITION, LEDGER_TABLE, releaseKey } from './ledger-keys';

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
