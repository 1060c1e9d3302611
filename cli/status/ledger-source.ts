import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbReleaseLedger } from '../../functions/adapters/ledger/dynamodb-release-ledger';
import { localDynamoDbClient, startLocalDynamoDb } from '../../functions/local/local-dynamodb';
import { LOCAL_LEDGER_DIR, readLocalLedgerAddress } from '../../functions/local/local-ledger';
import type { ReleaseLedgerReader } from '../../functions/ports/release-ledger';
import { CliError } from '../command';

/** A ledger to read, and what to release once read. */
export interface OpenedLedger {
  readonly reader: ReleaseLedgerReader;
  /** Where it was read from, for messages. */
  readonly label: string;
  close(): Promise<void>;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * The local runtime's ledger in `workdir`: through the running runtime's dynalite when one runs
 * (`ledger.json`), otherwise by opening `<workdir>/ledger` with dynalite for the time of the read
 * (LevelDB admits one process at a time, hence not both).
 */
export const openLocalLedger = async (workdir: string): Promise<OpenedLedger> => {
  const address = await readLocalLedgerAddress(workdir);
  if (address !== undefined) {
    const client = localDynamoDbClient(address.endpoint);
    // A runtime that was killed leaves its address behind: fall through to the directory then.
    const reader = new DynamoDbReleaseLedger(client, address.tableName);
    const alive = await fetch(address.endpoint, { method: 'POST' }).then(
      () => true,
      () => false,
    );
    if (alive)
      return {
        reader,
        label: `${workdir} (running, ${address.endpoint})`,
        close: async () => client.destroy(),
      };
    client.destroy();
  }
  const directory = join(workdir, LOCAL_LEDGER_DIR);
  if (!(await exists(directory)))
    throw new CliError(
      'LEDGER_NOT_FOUND',
      `no release ledger in ${workdir}: run \`chart-promoter local\` or \`chart-promoter demo --workdir ${workdir}\` first, or read a deployed one with --table`,
    );
  const db = await startLocalDynamoDb({ directory });
  return {
    reader: new DynamoDbReleaseLedger(db.client, db.tableName),
    label: workdir,
    close: () => db.close(),
  };
};

/** A deployed ledger: the stack's LedgerTableName output, read with the caller's AWS credentials. */
export const openDeployedLedger = (client: DynamoDBClient, table: string): OpenedLedger => ({
  reader: new DynamoDbReleaseLedger(client, table),
  label: `table ${table}`,
  close: async () => client.destroy(),
});
