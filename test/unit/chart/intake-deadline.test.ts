import { describe, expect, it } from 'vitest';
import { INTAKE_TIMEOUT, withIntakeDeadline } from '../../../functions/chart/intake-deadline';
import { readChartArchive } from '../../../functions/chart/read-chart-archive';
import { PromoterError } from '../../../functions/errors';
import { buildArchive, chartEntries } from '../../support/tar-fixtures';

describe('withIntakeDeadline', () => {
  it('answers with the work when it finishes in time', async () => {
    // Act
    const value = await withIntakeDeadline(1000, async () => 'done');
    // Assess
    expect(value).toBe('done');
  });

  it('throws a retryable INTAKE_TIMEOUT past the deadline and aborts the work', async () => {
    // Prepare
    let seen: AbortSignal | undefined;

    // Act
    const answer = withIntakeDeadline(30, (signal) => {
      seen = signal;
      return new Promise<never>(() => {});
    });

    // Assess
    await expect(answer).rejects.toMatchObject({ code: INTAKE_TIMEOUT, disposition: 'retryable' });
    await expect(answer).rejects.toBeInstanceOf(PromoterError);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toMatchObject({ code: INTAKE_TIMEOUT });
  });

  it('keeps the work error when the work fails first', async () => {
    await expect(
      withIntakeDeadline(1000, async () => {
        throw new Error('source failed');
      }),
    ).rejects.toThrow('source failed');
  });
});

describe('readChartArchive under its deadline', () => {
  it('throws INTAKE_TIMEOUT (retryable) when the source stalls', async () => {
    // Prepare: the first half of a valid archive, then a source that never sends another byte.
    const archive = await buildArchive(chartEntries('demo', '1.0.0'));
    const stalled: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => {
        let sent = false;
        return {
          next: () => {
            if (sent) return new Promise<never>(() => {});
            sent = true;
            return Promise.resolve({ done: false, value: archive.subarray(0, archive.byteLength >> 1) });
          },
          return: async () => ({ done: true, value: undefined }),
        };
      },
    };
    const started = performance.now();

    // Act
    const answer = readChartArchive(stalled, { maxDurationMs: 100 });

    // Assess
    await expect(answer).rejects.toMatchObject({ code: INTAKE_TIMEOUT, disposition: 'retryable' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers normally well within the default deadline', async () => {
    const result = await readChartArchive(await buildArchive(chartEntries('demo', '1.0.0')), {
      maxDurationMs: undefined,
    });
    expect(result.ok).toBe(true);
  });
});
