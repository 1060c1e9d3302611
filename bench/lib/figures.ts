/**
 * A figure is one measured quantity: the median, min and max of its runs, and its unit. Every scenario
 * reports figures through a FigureSink, so the runner can print one table and write one JSON object.
 */

export interface Figure {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  readonly unit: string;
  /** What was measured, when the key alone does not say it. */
  readonly note?: string;
}

export interface TargetCheck {
  readonly target: string;
  /** The figure(s) the verdict rests on, with their medians. */
  readonly evidence: string;
  readonly met: boolean;
}

export interface FigureSink {
  figure(key: string, figure: Figure): void;
  target(check: TargetCheck): void;
  /** Free-form detail (per-route counts, metafile inputs…) kept in results.json, not in the table. */
  detail(key: string, value: unknown): void;
  /** A line for the reader, printed under the table. */
  note(text: string): void;
}

export interface RunPlan {
  readonly quick: boolean;
  /** Measured runs per figure (after the warm-up). */
  readonly runs: number;
  /** Unmeasured runs first: JIT, page cache, module caches, lazily unpacked binaries. */
  readonly warmups: number;
}

/** Median of an odd count is the middle sample; of an even count, the mean of the two middle ones. */
export const median = (samples: readonly number[]): number => {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const summarize = (samples: readonly number[], unit: string, note?: string): Figure => ({
  median: median(samples),
  min: Math.min(...samples),
  max: Math.max(...samples),
  runs: samples.length,
  unit,
  ...(note === undefined ? {} : { note }),
});

/** A derived figure (computed from others, not sampled): runs is the run count of its inputs. */
export const computed = (value: number, unit: string, runs: number, note?: string): Figure => ({
  median: value,
  min: value,
  max: value,
  runs,
  unit,
  ...(note === undefined ? {} : { note }),
});

/** Applies `f` to median, min and max of `figure` (monotonic `f` only, e.g. a unit conversion). */
export const mapFigure = (figure: Figure, f: (x: number) => number, unit: string, note?: string): Figure => {
  const [a, b] = [f(figure.min), f(figure.max)];
  return {
    median: f(figure.median),
    min: Math.min(a, b),
    max: Math.max(a, b),
    runs: figure.runs,
    unit,
    ...(note === undefined ? {} : { note }),
  };
};

/**
 * Runs `act` `plan.warmups` times unmeasured, then `plan.runs` times; `act` returns its own samples
 * (one value per named quantity), so one run can yield wall time and bytes together.
 */
export const sample = async <K extends string>(
  plan: Pick<RunPlan, 'runs' | 'warmups'>,
  act: (run: number) => Promise<Record<K, number>>,
): Promise<Record<K, number[]>> => {
  for (let i = 0; i < plan.warmups; i++) await act(-1 - i);
  const samples = {} as Record<K, number[]>;
  for (let run = 0; run < plan.runs; run++) {
    const values = await act(run);
    for (const [key, value] of Object.entries(values) as [K, number][]) {
      samples[key] ??= [];
      samples[key].push(value);
    }
  }
  return samples;
};

/**
 * Wall time of `act` in milliseconds, with its result, and the CPU time (user + system) this process
 * spent meanwhile: less sensitive to a loaded machine than wall time. It counts every thread of the
 * process (zlib and hashing in libuv's pool too) but no child process (helm's CPU is not in it).
 */
export const timed = async <T>(act: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> => {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const value = await act();
  const cpu = process.cpuUsage(cpuBefore);
  return { ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, value };
};
