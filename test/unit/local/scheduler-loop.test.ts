import { describe, expect, it } from 'vitest';
import { SchedulerLoop } from '../../../functions/local/scheduler-loop';
import type { PromotionCommand } from '../../../functions/ports/promotion-command';
import { InMemoryScheduler } from '../../../functions/ports/scheduler';
import { FakeClock } from '../../support/feedback-harness';

const command = (to: string): PromotionCommand => ({
  chartPromoter: 'promote',
  chart: 'web',
  version: '1.0.0',
  from: 'dev',
  to,
});

const START = new Date('2026-03-01T10:00:00Z');

describe('SchedulerLoop (drives the in-memory scheduler in the local runtime)', () => {
  it('runs a command only once its time has come, from the timer, and then is idle', async () => {
    // Prepare
    const clock = new FakeClock(START);
    const scheduler = new InMemoryScheduler();
    const ran: string[] = [];
    const loop = new SchedulerLoop({
      scheduler,
      clock,
      intervalMs: 5,
      run: async (c) => {
        ran.push(c.chartPromoter === 'promote' ? c.to : c.environment);
      },
    });
    await scheduler.schedule(command('staging'), new Date(START.getTime() + 60_000));

    try {
      // Act 1: several ticks pass, the soak has not.
      await new Promise((resolve) => setTimeout(resolve, 40));
      const early = [...ran];
      // Act 2: the soak is over; the timer picks the command up.
      clock.advance(60_000);
      await loop.idle();

      // Assess
      expect(early).toEqual([]);
      expect(ran).toEqual(['staging']);
      expect(loop.pending).toBe(0);
    } finally {
      await loop.stop();
    }
  });

  it('runs due commands one after the other, survives a failing one, and stop() drops what is still pending', async () => {
    // Prepare
    const clock = new FakeClock(START);
    const scheduler = new InMemoryScheduler();
    const events: string[] = [];
    const errors: string[] = [];
    const loop = new SchedulerLoop({
      scheduler,
      clock,
      intervalMs: 60_000, // the test ticks by hand
      run: async (c) => {
        const to = c.chartPromoter === 'promote' ? c.to : '';
        events.push(`start ${to}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (to === 'qa') throw new Error('boom');
        events.push(`end ${to}`);
      },
      onError: (error) => errors.push(String(error)),
    });
    await scheduler.schedule(command('qa'), START);
    await scheduler.schedule(command('staging'), START);
    await scheduler.schedule(command('prod'), new Date(START.getTime() + 3_600_000));

    // Act
    await Promise.all([loop.tick(), loop.tick()]); // a second tick joins the running one
    const dropped = await loop.stop();

    // Assess
    expect(events).toEqual(['start qa', 'start staging', 'end staging']);
    expect(errors).toEqual(['Error: boom']);
    expect(dropped.map((c) => (c.chartPromoter === 'promote' ? c.to : ''))).toEqual(['prod']);
    expect(loop.pending).toBe(0);
    await expect(loop.idle()).resolves.toBeUndefined();
  });
});
