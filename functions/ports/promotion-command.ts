import { PromoterError } from '../errors';
import * as z from '../zod';

/**
 * Promotion commands: environment moves asked for by the feedback endpoint (scheduled after a soak),
 * by the CLI (`chart-promoter promote|rollback`, through Lambda Invoke) or by a human sending an SQS
 * message. Wire format (contract), one JSON object per SQS message body or Invoke payload:
 *
 *   {"chartPromoter":"promote","chart":"web","version":"1.2.0","from":"dev","to":"staging",
 *    "runId":"…","notBefore":"2026-01-01T10:00:00Z"}
 *   {"chartPromoter":"rollback","chart":"web","environment":"staging","toVersion":"1.1.0"}
 *
 * `from` (optional): only promote if that environment still runs the version when the command runs.
 * `notBefore` (optional): not before this time (soak); an early command is re-scheduled, not run.
 */
const name = z.string().check(z.regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 label'));
const version = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[0-9A-Za-z.+-]+$/, 'not a chart version'));
const runId = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[\w.:-]+$/, 'letters, digits, . _ : - only'));

const promoteCommand = z.strictObject({
  chartPromoter: z.literal('promote'),
  chart: name,
  version,
  from: z.optional(name),
  to: name,
  runId: z.optional(runId),
  notBefore: z.optional(z.iso.datetime({ offset: true })),
});

const rollbackCommand = z.strictObject({
  chartPromoter: z.literal('rollback'),
  chart: name,
  environment: name,
  toVersion: z.optional(version),
  runId: z.optional(runId),
});

export const promotionCommandSchema = z.discriminatedUnion('chartPromoter', [
  promoteCommand,
  rollbackCommand,
]);

export type PromotionCommand = z.output<typeof promotionCommandSchema>;
export type PromoteCommand = z.output<typeof promoteCommand>;
export type RollbackCommand = z.output<typeof rollbackCommand>;

/** True when a parsed JSON value announces itself as a command (any other shape is an S3 event). */
export const looksLikeCommand = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && 'chartPromoter' in value;

/** Validates a command; a malformed one is terminal `COMMAND_INVALID` (retrying cannot fix it). */
export const parsePromotionCommand = (value: unknown): PromotionCommand => {
  const parsed = promotionCommandSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(command)'}: ${issue.message}`,
  );
  throw new PromoterError('COMMAND_INVALID', 'terminal', `invalid promotion command: ${issues.join('; ')}`);
};
