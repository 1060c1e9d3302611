import { PromoterError } from '../errors';

/** Error code of an intake that ran out of time (retryable: see below). */
export const INTAKE_TIMEOUT = 'INTAKE_TIMEOUT';

/** Default of IntakeLimits.maxDurationMs: far above any honest chart (a 50 MiB one reads in < 1 s). */
export const DEFAULT_INTAKE_DURATION_MS = 60_000;

/**
 * Runs `work` under an overall deadline: defence in depth against any hang left in the archive
 * readers (tar-stream once waited forever on a malformed directory entry). Past the deadline `signal`
 * aborts, so the readers tear their streams down, and the answer is a retryable PromoterError
 * INTAKE_TIMEOUT rather than a refusal: a slow source or an overloaded machine is not the chart's
 * fault. A chart that hangs intake every time is retried by the queue until it is dead-lettered,
 * with this reason, where an operator sees it: nothing is refused for a reason we cannot name.
 */
export const withIntakeDeadline = async <T>(
  ms: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> => {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new PromoterError(
        INTAKE_TIMEOUT,
        'retryable',
        `chart intake did not finish within ${ms} ms (a slow source, an overloaded machine or a reader bug)`,
      );
      controller.abort(error);
      reject(error);
    }, ms);
  });
  const running = work(controller.signal);
  // Whatever `work` does once the deadline has answered is no longer anyone's concern.
  running.catch(() => {});
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
};
