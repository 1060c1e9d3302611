import type { ObservedOutcome, OutcomeSource, PushedObject } from './outcome-source';

export interface WaitOptions {
  readonly timeoutMs: number;
  /** First pause between reads, doubled up to `maxDelayMs`. @default 250 */
  readonly firstDelayMs?: number;
  /** @default 2_000 */
  readonly maxDelayMs?: number;
  /** Called after each read that found nothing, with the time waited so far (progress). */
  readonly onPending?: (elapsedMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export type WaitResult =
  | { readonly outcome: ObservedOutcome; readonly elapsedMs: number }
  | { readonly timedOut: true; readonly elapsedMs: number };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads the source until it has the object's outcome, or the timeout passes (a condition, not a
 * guess: the last read happens at the deadline). Environment errors from the source propagate.
 */
export const waitForOutcome = async (
  source: OutcomeSource,
  object: PushedObject,
  options: WaitOptions,
): Promise<WaitResult> => {
  const { timeoutMs, firstDelayMs = 250, maxDelayMs = 2_000 } = options;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const started = now();
  for (let delay = firstDelayMs; ; delay = Math.min(delay * 2, maxDelayMs)) {
    const outcome = await source.read(object);
    const elapsedMs = now() - started;
    if (outcome) return { outcome, elapsedMs };
    if (elapsedMs >= timeoutMs) return { timedOut: true, elapsedMs };
    options.onPending?.(elapsedMs);
    await sleep(Math.min(delay, timeoutMs - elapsedMs));
  }
};
