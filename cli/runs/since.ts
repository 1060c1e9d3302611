import { CliError } from '../command';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `90m | 24h | 7d | 30s` as milliseconds (`runs --since`, `push --timeout`); anything else is a
 * usage error naming the option.
 */
export const parseSince = (text: string, option = '--since'): number => {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const amount = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(amount) || amount <= 0)
    throw new CliError('USAGE', `${option} takes a positive duration like 30s, 10m, 24h or 7d, got ${text}`);
  return amount * UNIT_MS[match[2] as keyof typeof UNIT_MS];
};
