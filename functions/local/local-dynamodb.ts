import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureLedgerTable } from '../adapters/ledger/ledger-table';

/**
 * A real DynamoDB implementation on 127.0.0.1 for the embedded runtime and the tests: dynalite
 * (https://github.com/architect/dynalite, DynamoDB's API over LevelDB). Conditional writes and
 * queries behave as DynamoDB's; it has no TransactWriteItems and does not expire TTL items (tables
 * keep `expiresAt` items until they are deleted; readers compare the time themselves).
 */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** The release ledger table (functions/adapters/ledger/ledger-table.ts), created and ACTIVE. */
  readonly tableName: string;
  close(): Promise<void>;
}

export interface LocalDynamoDbOptions {
  /** LevelDB directory that keeps the data across runs; absent = in memory. */
  readonly directory?: string;
  /** @default 'chart-promoter-ledger' */
  readonly tableName?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
}

/** dynalite accepts any credentials; the SDK still wants some. */
export const LOCAL_DYNAMODB_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export const localDynamoDbClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_DYNAMODB_CREDENTIALS });

type DynaliteFactory = (options: { path?: string; createTableMs?: number }) => Server;

export const startLocalDynamoDb = async (options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> => {
  // dynalite is CommonJS without types.
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  const server = dynalite({
    ...(options.directory === undefined ? {} : { path: options.directory }),
    // Tables are ACTIVE at once: nothing here benefits from DynamoDB's CREATING delay.
    createTableMs: 0,
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(options.port ?? 0, '127.0.0.1', () => listening());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not bind a TCP port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = localDynamoDbClient(endpoint);
  const tableName = options.tableName ?? 'chart-promoter-ledger';
  await ensureLedgerTable(client, tableName);
  return {
    endpoint,
    client,
    tableName,
    close: async () => {
      client.destroy();
      await new Promise<void>((closed, failed) =>
        server.close((error) => (error ? failed(error) : closed())),
      );
    },
  };
};
