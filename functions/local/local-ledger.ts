import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb';

/** `<workdir>/ledger`: the local release ledger's LevelDB directory (kept across runs). */
export const LOCAL_LEDGER_DIR = 'ledger';
/** `<workdir>/ledger.json`: `{endpoint, tableName}` of the running runtime's ledger, while it runs. */
export const LOCAL_LEDGER_FILE = 'ledger.json';

export interface LocalLedgerAddress {
  readonly endpoint: string;
  readonly tableName: string;
}

export interface LocalLedger {
  readonly db: LocalDynamoDb;
  close(): Promise<void>;
}

/**
 * The embedded runtime's release ledger: dynalite on 127.0.0.1 over `<workdir>/ledger`, so the
 * ledger outlives the runtime; its address goes to `<workdir>/ledger.json` for `chart-promoter
 * status` while the runtime runs (LevelDB lets one process open the directory at a time).
 */
export const startLocalLedger = async (workdir: string): Promise<LocalLedger> => {
  const db = await startLocalDynamoDb({ directory: join(workdir, LOCAL_LEDGER_DIR) });
  const file = join(workdir, LOCAL_LEDGER_FILE);
  const address: LocalLedgerAddress = { endpoint: db.endpoint, tableName: db.tableName };
  await writeFile(file, `${JSON.stringify(address)}\n`);
  return {
    db,
    close: async () => {
      await rm(file, { force: true });
      await db.close();
    },
  };
};

/** The running runtime's ledger address, or undefined when none is written (no runtime runs). */
export const readLocalLedgerAddress = async (workdir: string): Promise<LocalLedgerAddress | undefined> => {
  const text = await readFile(join(workdir, LOCAL_LEDGER_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<LocalLedgerAddress>;
    return typeof parsed.endpoint === 'string' && typeof parsed.tableName === 'string'
      ? { endpoint: parsed.endpoint, tableName: parsed.tableName }
      : undefined;
  } catch {
    return undefined;
  }
};
