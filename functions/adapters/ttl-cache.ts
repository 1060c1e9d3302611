import type { Clock } from '../ports/clock';

/**
 * Reuses a read value for `ttlMs` across invocations of a warm Lambda (a rotated keyring or token is
 * picked up within that time); concurrent callers share one read; failures are not cached.
 */
export const ttlCached = <T>(read: () => Promise<T>, ttlMs: number, clock: Clock): (() => Promise<T>) => {
  let cached: { readonly value: Promise<T>; readonly expiresAt: number } | undefined;
  return () => {
    const now = clock.now().getTime();
    if (cached !== undefined && now < cached.expiresAt) return cached.value;
    const value = read();
    const entry = { value, expiresAt: now + ttlMs };
    cached = entry;
    value.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return value;
  };
};
