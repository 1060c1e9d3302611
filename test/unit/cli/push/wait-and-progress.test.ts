import { describe, expect, it } from 'vitest';
import type { ObservedOutcome, OutcomeSource } from '../../../../cli/push/outcome-source';
import { progress, progressBar } from '../../../../cli/push/progress';
import { waitForOutcome } from '../../../../cli/push/wait-for-outcome';
import { captureIo } from '../../../support/cli-capture';

const object = { bucket: 'charts', key: 'incoming/web-1.0.0.tgz' };
const promoted: ObservedOutcome = { status: 'promoted', chart: 'web', commit: 'c'.repeat(40), refusals: [] };

/** A source that has the outcome from its `readsUntilOutcome`-th read on (never, when undefined). */
const scripted = (readsUntilOutcome?: number) => {
  let reads = 0;
  const source: OutcomeSource = {
    describe: 'a scripted source',
    mark: async () => undefined,
    read: async () => {
      reads += 1;
      return readsUntilOutcome !== undefined && reads >= readsUntilOutcome ? promoted : undefined;
    },
  };
  return { source, reads: () => reads };
};

/** A fake clock: sleeping advances it, nothing really waits. */
const fakeTime = () => {
  let clock = 0;
  const sleeps: number[] = [];
  return {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    sleeps,
  };
};

describe('waitForOutcome', () => {
  it('reads with a bounded backoff until the source has the outcome, reporting the wait as it goes', async () => {
    // Prepare
    const { source, reads } = scripted(5);
    const time = fakeTime();
    const pending: number[] = [];

    // Act
    const result = await waitForOutcome(source, object, {
      timeoutMs: 60_000,
      onPending: (ms) => pending.push(ms),
      ...time,
    });

    // Assess
    expect(result).toEqual({ outcome: promoted, elapsedMs: 250 + 500 + 1000 + 2000 });
    expect(reads()).toBe(5);
    expect(time.sleeps).toEqual([250, 500, 1000, 2000]);
    expect(pending).toEqual([0, 250, 750, 1750]);
  });

  it('gives up at the timeout, its last read exactly at the deadline', async () => {
    // Prepare
    const { source, reads } = scripted(undefined);
    const time = fakeTime();

    // Act
    const result = await waitForOutcome(source, object, { timeoutMs: 5_000, ...time });

    // Assess
    expect(result).toEqual({ timedOut: true, elapsedMs: 5_000 });
    expect(time.sleeps).toEqual([250, 500, 1000, 2000, 1250]);
    expect(reads()).toBe(6);
  });
});

describe('progress (what goes to stderr while uploading or waiting)', () => {
  it('redraws one line on a terminal and clears it when done', () => {
    // Prepare
    const io = captureIo();
    const tty = { ...io, stderr: { ...io.stderr, isTTY: true } };

    // Act
    const bar = progress(tty, 'uploading x (60.0 MiB)');
    bar.update(progressBar(5 * 1024 * 1024, 60 * 1024 * 1024));
    bar.update(progressBar(60 * 1024 * 1024, 60 * 1024 * 1024));
    bar.done();

    // Assess
    expect(io.err()).toBe(
      '\r\u001b[K[###...........................] 5.0 MiB / 60.0 MiB' +
        '\r\u001b[K[##############################] 60.0 MiB / 60.0 MiB\r\u001b[K',
    );
  });

  it('off a terminal (a pipe, a CI log) writes the plain start line once, and no bar', () => {
    // Prepare
    const [plain, quiet] = [captureIo(), captureIo()];

    // Act
    for (const [io, options] of [
      [plain, {}],
      [quiet, { quiet: true }],
    ] as const) {
      const bar = progress(io, 'uploading x (60.0 MiB) to s3://charts/incoming/x', options);
      bar.update(progressBar(1, 2));
      bar.done();
    }

    // Assess
    expect(plain.err()).toBe('uploading x (60.0 MiB) to s3://charts/incoming/x\n');
    expect(quiet.err()).toBe('');
  });
});
