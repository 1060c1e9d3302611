import type { Clock } from '../ports/clock';
import type { OverdueRelease } from '../promotion/ledger/sweep-deadlines';
import type { PromotionRecord } from './promotion-record';
import { appendPromotions } from './run-log';

export interface DeadlineSweepLoopOptions {
  readonly sweep: () => Promise<OverdueRelease[]>;
  /** Each release found overdue becomes a `not-converged` line of the run log (a row of `runs`). */
  readonly runLog: string;
  readonly clock: Pick<Clock, 'now'>;
  /** @default 1000 */
  readonly intervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** The run-log line of a release that missed its deadline. */
export const notConvergedRecord = (overdue: OverdueRelease, at: Date): PromotionRecord => ({
  kind: 'promotion',
  at: at.toISOString(),
  trigger: 'deadline',
  runId: overdue.runId,
  command: 'promote',
  chart: overdue.chart,
  version: overdue.version,
  environment: overdue.environment,
  status: 'not-converged',
  code: 'DEADLINE',
  message:
    `no healthy Flux event by ${overdue.deadline}` +
    (overdue.rollback === undefined ? '' : `; rolling back to ${overdue.rollback.toVersion}`),
  ...(overdue.commit === undefined ? {} : { commit: overdue.commit }),
});

/**
 * The local runtime's deadline sweep on its clock (an EventBridge schedule plays this role in AWS):
 * every `intervalMs`, one sweep at a time.
 */
export class DeadlineSweepLoop {
  readonly #options: DeadlineSweepLoopOptions;
  readonly #timer: NodeJS.Timeout;
  #running: Promise<OverdueRelease[]> | undefined;

  constructor(options: DeadlineSweepLoopOptions) {
    this.#options = options;
    this.#timer = setInterval(() => {
      this.tick().catch((error) => options.onError?.(error));
    }, options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Sweeps now (or joins the sweep under way). */
  tick(): Promise<OverdueRelease[]> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #sweep(): Promise<OverdueRelease[]> {
    const overdue = await this.#options.sweep();
    const at = this.#options.clock.now();
    await appendPromotions(
      this.#options.runLog,
      overdue.map((release) => notConvergedRecord(release, at)),
    );
    return overdue;
  }
}
