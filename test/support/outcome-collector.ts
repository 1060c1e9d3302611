import type { UploadOutcome } from '../../functions/pipeline/upload-outcome';
import { scaledTimeout } from './machine-speed';

/**
 * Gathers the outcomes a local runtime reports (its `onOutcomes` option) and lets a test wait for the
 * next `count` of them: a condition, not a sleep. Rejects after `ms` (a figure at rest, scaled by the
 * machine's slowdown: machine-speed.ts), naming what did arrive.
 */
export const outcomeCollector = () => {
  const seen: UploadOutcome[] = [];
  let wake = (): void => {};
  return {
    onOutcomes: (outcomes: readonly UploadOutcome[]) => {
      seen.push(...outcomes);
      wake();
    },
    next: (count: number, ms = 30_000): Promise<UploadOutcome[]> => {
      const target = seen.length + count;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${seen.length}/${target} outcomes: ${JSON.stringify(seen)}`)),
          scaledTimeout(ms),
        );
        wake = () => {
          if (seen.length < target) return;
          clearTimeout(timer);
          resolve(seen.slice(target - count, target));
        };
        wake();
      });
    },
  };
};
