/**
 * Stale events are refused: an old event replayed by an attacker who captured a signed body (the
 * signature does not cover time by itself, but the signed body carries Flux's timestamp), or a
 * delivery so late that acting on it would be wrong. Future timestamps beyond a small clock skew are
 * refused too.
 */
export interface FreshnessLimits {
  /** @default 15 minutes */
  readonly maxAgeMs: number;
  /** @default 1 minute */
  readonly maxSkewMs: number;
}

export const DEFAULT_FRESHNESS: FreshnessLimits = { maxAgeMs: 15 * 60_000, maxSkewMs: 60_000 };

export type Freshness =
  | { readonly fresh: true }
  | { readonly fresh: false; readonly reason: 'EVENT_STALE' | 'EVENT_FROM_FUTURE'; readonly message: string };

export const checkFreshness = (
  timestamp: Date,
  now: Date,
  limits: FreshnessLimits = DEFAULT_FRESHNESS,
): Freshness => {
  const age = now.getTime() - timestamp.getTime();
  if (age > limits.maxAgeMs) {
    return {
      fresh: false,
      reason: 'EVENT_STALE',
      message: `event is ${Math.round(age / 1000)} s old (limit ${limits.maxAgeMs / 1000} s)`,
    };
  }
  if (-age > limits.maxSkewMs) {
    return {
      fresh: false,
      reason: 'EVENT_FROM_FUTURE',
      message: `event is ${Math.round(-age / 1000)} s in the future`,
    };
  }
  return { fresh: true };
};
