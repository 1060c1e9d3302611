import { TABLE_NAME, TABLE_NAME_MESSAGE } from '../adapters/ledger/ledger-keys';
import { PromoterError } from '../errors';
import * as z from '../zod';

/** The release ledger's table, as every function that reads or writes it is told. */
export const LEDGER_ENV = {
  ledgerTable: 'CHART_PROMOTER_LEDGER_TABLE',
} as const;

export interface LedgerConfig {
  /** Absent: no ledger deployed (nothing is recorded). */
  readonly ledgerTable?: string;
}

const schema = z.object({
  [LEDGER_ENV.ledgerTable]: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.optional(z.string().check(z.regex(TABLE_NAME, TABLE_NAME_MESSAGE))),
  ),
});

/** Throws a terminal CONFIG_INVALID for a malformed table name. */
export const parseLedgerConfig = (env: Readonly<Record<string, string | undefined>>): LedgerConfig => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const list = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new PromoterError('CONFIG_INVALID', 'terminal', `invalid configuration: ${list}`);
  }
  const table = parsed.data[LEDGER_ENV.ledgerTable];
  return table === undefined ? {} : { ledgerTable: table };
};
