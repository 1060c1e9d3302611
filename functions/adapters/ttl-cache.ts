import type { Clock } from '../ports/clock';

/**
 * A value read on first use and reused for `ttlMs` by the Clock (a warm Lambda picks up a rotated
 * secret or keyring within that time without a read per message); concurrent callers share one read;
 * a failed read is not cached. Used by the secret reader and the S3 keyring.
 */
export interface TtlCache<T> {
  get(): Promise<T>;
  /** Forget the value (e.g. after the service refused it), so the next `get` reads again. */
  invalidate(): void;
}

export const ttlCache = <T>(read: () => Promise<T>, ttlMs: number, clock: Clock): TtlCache<T> => {
  let cached: { readonly value: Promise<T>; readonly expiresAt: number } | undefined;
  return {
    get: () => {
      const now = clock.now().getTime();
      if (cached !== undefined && now < cached.expiresAt) return cached.value;
      const value = read();
      const entry = { value, expiresAt: now + ttlMs };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return value;
    },
    invalidate: () => {
      cached = undefined;
    },
  };
};

/** How long a read value is reused unless told otherwise. */
export const DEFAULT_TTL_MS = 5 * 60_000;
