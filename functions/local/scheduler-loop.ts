import type { Clock } from '../ports/clock';
import type { PromotionCommand } from '../ports/promotion-command';
import type { InMemoryScheduler } from '../ports/scheduler';

/**
 * Drives the in-memory scheduler in the local runtime: every `intervalMs` it takes the commands whose
 * time has come (soaks over) and runs them one after the other (the same cluster repository: running
 * them in parallel would only make them race for the branch). In AWS the same role is played by SQS
 * delay hops on the intake queue. Pending commands live in memory: stopping the runtime drops them
 * (they are logged), as a restarted `local` has no soak to finish.
 */
export interface SchedulerLoopOptions {
  readonly scheduler: InMemoryScheduler;
  readonly clock: Clock;
  readonly run: (command: PromotionCommand) => Promise<void>;
  /** @default 250 */
  readonly intervalMs?: number;
  readonly onError?: (error: unknown, command: PromotionCommand) => void;
}

export class SchedulerLoop {
  readonly #options: SchedulerLoopOptions;
  readonly #timer: NodeJS.Timeout;
  #running: Promise<void> | undefined;
  #waiters: (() => void)[] = [];

  constructor(options: SchedulerLoopOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.tick(), options.intervalMs ?? 250);
    // The loop alone never keeps a process alive (the servers of the runtime do).
    this.#timer.unref();
  }

  /** Commands waiting for their time. */
  get pending(): number {
    return this.#options.scheduler.pending.length;
  }

  /** Runs what is due now (the timer calls it; tests may too). Resolves when that is done. */
  tick(): Promise<void> {
    this.#running ??= this.#runDue().finally(() => {
      this.#running = undefined;
      this.#settle();
    });
    return this.#running;
  }

  /** Resolves once nothing is pending or running (the last soak is over and its command ran). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops the timer and waits for the command in flight; returns the commands dropped. */
  async stop(): Promise<PromotionCommand[]> {
    clearInterval(this.#timer);
    await this.#running;
    const dropped = this.#options.scheduler.pending.splice(0).map((entry) => entry.command);
    this.#settle();
    return dropped;
  }

  async #runDue(): Promise<void> {
    for (const command of this.#options.scheduler.takeDue(this.#options.clock.now())) {
      try {
        await this.#options.run(command);
      } catch (error) {
        this.#options.onError?.(error, command);
      }
    }
  }

  #isIdle(): boolean {
    return this.#running === undefined && this.pending === 0;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
