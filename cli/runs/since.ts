import { CliError } from '../command';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since 90m | 24h | 7d | 30s` as milliseconds; anything else is a usage error. */
export const parseSince = (text: string): number => {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const amount = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(amount) || amount <= 0)
    throw new CliError('USAGE', `--since takes a positive duration like 30m, 24h or 7d, got ${text}`);
  return amount * UNIT_MS[match[2] as keyof typeof UNIT_MS];
};
