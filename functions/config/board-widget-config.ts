import { TABLE_NAME, TABLE_NAME_MESSAGE } from '../adapters/ledger/ledger-keys';
import { PromoterError } from '../errors';
import * as z from '../zod';
import { LEDGER_ENV } from './ledger-config';

/** Typed configuration of the board widget function, parsed once at cold start. */
export interface BoardWidgetConfig {
  /** The release ledger's DynamoDB table; absent = no ledger deployed yet (the board says so). */
  readonly ledgerTable?: string;
  /** Environment order, first to last (the policy's); empty = the order releases were first seen. */
  readonly environments: readonly string[];
}

export const BOARD_WIDGET_ENV = {
  ledgerTable: LEDGER_ENV.ledgerTable,
  environments: 'CHART_PROMOTER_BOARD_ENVIRONMENTS',
} as const;

const E = BOARD_WIDGET_ENV;
const emptyAsUndefined = (v: unknown) => (v === '' ? undefined : v);
/** Environment names are DNS-1123 labels, as the policy requires them. */
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const schema = z.object({
  [E.ledgerTable]: z.preprocess(
    emptyAsUndefined,
    z.optional(z.string().check(z.regex(TABLE_NAME, TABLE_NAME_MESSAGE))),
  ),
  [E.environments]: z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    z.array(z.string().check(z.regex(LABEL, 'each must be a DNS-1123 label'))),
  ),
});

/** Throws a terminal CONFIG_INVALID naming every bad variable. */
export const parseBoardWidgetConfig = (
  env: Readonly<Record<string, string | undefined>>,
): BoardWidgetConfig => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const list = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new PromoterError('CONFIG_INVALID', 'terminal', `invalid configuration: ${list}`);
  }
  const table = parsed.data[E.ledgerTable];
  return {
    ...(table === undefined ? {} : { ledgerTable: table }),
    environments: parsed.data[E.environments],
  };
};
