import { availableParallelism, loadavg } from 'node:os';

/**
 * How much slower than at rest this machine runs right now, so waits that must end (a process
 * start, a server's first line, a test's own timeout) scale with it instead of failing under load.
 * Two measures, the larger wins:
 *
 * - a fixed piece of CPU work timed against what it takes on an idle core (REST_WORK_MS): what a
 *   competing load takes from this process, measured rather than guessed;
 * - the 1-minute load average per core: runnable processes queue for a core, so a test that starts
 *   child processes (node, helm, git http-backend) waits about that many times longer for each.
 *
 * Clamped to [1, MAX_FACTOR]: never shorter than the written timeout, and a machine slower than that
 * is a machine to report, not to wait out.
 */

/**
 * The work below on an idle core, in ms: an estimate (the build machine was never idle while this was
 * written; 38 ms was the fastest of 21 timings at load average 16 on 2 cores). Too low a value only
 * lengthens timeouts, up to MAX_FACTOR.
 */
const REST_WORK_MS = 10;
const MAX_FACTOR = 8;

/** A deterministic CPU-bound workload: integer mixing the JIT cannot fold away. */
const work = (): number => {
  let x = 0x9e3779b9;
  for (let i = 0; i < 4_000_000; i++) x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + i;
  return x;
};

const timeOnce = (): number => {
  const start = performance.now();
  if (work() === 0.5) throw new Error('unreachable: keeps the work observable');
  return performance.now() - start;
};

let measured: number | undefined;

/** The slowdown factor (≥ 1), measured once per process (the median of three timings). */
export const machineSlowdown = (): number => {
  if (measured !== undefined) return measured;
  timeOnce(); // warm the JIT
  const runs = [timeOnce(), timeOnce(), timeOnce()].sort((a, b) => a - b);
  const cpu = (runs[1] ?? REST_WORK_MS) / REST_WORK_MS;
  const queue = (loadavg()[0] ?? 0) / availableParallelism();
  measured = Math.min(MAX_FACTOR, Math.max(1, cpu, queue));
  return measured;
};

/** `ms` at rest, times how much slower the machine runs now (see machineSlowdown). */
export const scaledTimeout = (ms: number): number => Math.round(ms * machineSlowdown());
