/**
 * The reliability suite runs in two sizes: `quick` (the default, part of `npm test`, a minute or so
 * on two cores) and `full` (`npm run test:reliability`, which sets CHART_PROMOTER_RELIABILITY=full).
 * Test files read the size here, never process.env themselves.
 */
export type ReliabilitySize = 'quick' | 'full';

export const RELIABILITY_SIZE: ReliabilitySize =
  process.env.CHART_PROMOTER_RELIABILITY === 'full' ? 'full' : 'quick';

/** `quick` or `full` value, by the current size. */
export const bySize = <T>(quick: T, full: T): T => (RELIABILITY_SIZE === 'full' ? full : quick);
