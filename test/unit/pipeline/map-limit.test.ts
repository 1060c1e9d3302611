import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../../functions/pipeline/map-limit';

describe('mapLimit', () => {
  it('keeps the input order and never has more than `limit` calls in flight', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 10, 2, 15];

    // Act
    const results = await mapLimit(delays, 2, async (ms, index) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return `${index}:${ms}`;
    });

    // Assess
    expect(results).toEqual(delays.map((ms, i) => `${i}:${ms}`));
    expect(peak).toBe(2);
  });

  it('returns an empty list for no items without calling the function', async () => {
    // Act
    const results = await mapLimit([], 4, async () => {
      throw new Error('not called');
    });

    // Assess
    expect(results).toEqual([]);
  });
});
