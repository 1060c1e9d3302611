import type { PromotionCommand } from './promotion-command';

/**
 * Runs a promotion command later (soak times). Adapters: SQS with DelaySeconds hops on the intake
 * queue (Lambda; at most 900 s per hop, so a long soak is a chain of hops: the pipeline re-schedules a
 * command that arrives before its `notBefore`), in memory (tests, the local runtime).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-delay-queues.html
 */
export interface Scheduler {
  schedule(command: PromotionCommand, notBefore: Date): Promise<void>;
}

/** SQS's largest per-message delay. */
export const MAX_DELAY_SECONDS = 900;

/** The delay of the next hop towards `notBefore` (whole seconds, rounded up, capped at 900). */
export const nextHopSeconds = (now: Date, notBefore: Date): number =>
  Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil((notBefore.getTime() - now.getTime()) / 1000)));

/** Keeps commands in memory; `takeDue(now)` hands out those whose time has come (tests, local runtime). */
export class InMemoryScheduler implements Scheduler {
  readonly pending: { command: PromotionCommand; notBefore: Date }[] = [];

  async schedule(command: PromotionCommand, notBefore: Date): Promise<void> {
    this.pending.push({ command, notBefore });
  }

  takeDue(now: Date): PromotionCommand[] {
    const due = this.pending.filter((entry) => entry.notBefore.getTime() <= now.getTime());
    for (const entry of due) this.pending.splice(this.pending.indexOf(entry), 1);
    return due.map((entry) => entry.command);
  }
}
