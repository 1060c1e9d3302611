/**
 * Go-style durations, as Flux and Kubernetes write them (`30s`, `10m`, `1h30m`, `1.5h`, `0`):
 * https://pkg.go.dev/time#ParseDuration. Only non-negative values; units h, m, s, ms.
 */
const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

/** Milliseconds, or `undefined` when `text` is not a duration. */
export const parseDuration = (text: string): number | undefined => {
  if (text === '0') return 0;
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(total);
};

/** `1h30m` style, for log lines and pull-request bodies. */
export const formatDuration = (ms: number): string => {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  return parts.join('');
};
