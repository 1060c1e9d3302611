import { computed } from '../lib/figures';
import type { RequestProfile, Scenario } from '../lib/scenario';
import { requestsPerPromotion } from './requests-per-promotion';

/**
 * Scenario 3: sustainable promotions per minute under GitHub's secondary rate limits, computed from
 * scenario 1's measured request counts (nothing is sent to GitHub). Limits used, from
 * https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits :
 * - 80 content-creating requests per minute (and 500 per hour); every REST POST/PATCH/PUT/DELETE is
 *   counted as content-creating (conservative: GitHub does not publish which git-data calls count);
 * - 900 points per minute for REST (GET 1 point, POST/PATCH/PUT/DELETE 5) and 2,000 for GraphQL (a
 *   query without mutations is 1 point);
 * - Octokit's throttling plugin spaces "write" requests (every non-GET and every GraphQL call) at
 *   least 1,000 ms apart within one process (its default, kept by createGitHubClient in production):
 *   a ceiling per concurrently running function instance, not per account.
 */

export const LIMITS = {
  contentCreatingPerMinute: 80,
  contentCreatingPerHour: 500,
  restPointsPerMinute: 900,
  graphqlPointsPerMinute: 2000,
  writePoints: 5,
  readPoints: 1,
  pacingMs: 1000,
} as const;

interface Split {
  /** REST POST/PATCH/PUT/DELETE. */
  readonly writes: number;
  /** REST GET/HEAD. */
  readonly reads: number;
  readonly graphql: number;
}

const split = (profile: RequestProfile): Split => {
  let writes = 0;
  let reads = 0;
  let graphql = 0;
  for (const [route, count] of Object.entries(profile.byRoute)) {
    const method = route.split(' ')[0];
    if (route === 'POST /graphql') graphql += count;
    else if (method === 'GET' || method === 'HEAD') reads += count;
    else writes += count;
  }
  return { writes, reads, graphql };
};

/** Batches per minute each limit allows (Infinity when a batch uses none of that budget). */
export const batchesPerMinute = (s: Split) => {
  const per = (budget: number, cost: number) => (cost === 0 ? Number.POSITIVE_INFINITY : budget / cost);
  return {
    contentPerMinute: per(LIMITS.contentCreatingPerMinute, s.writes),
    contentPerHour: per(LIMITS.contentCreatingPerHour, s.writes) / 60,
    restPoints: per(LIMITS.restPointsPerMinute, LIMITS.writePoints * s.writes + LIMITS.readPoints * s.reads),
    graphqlPoints: per(LIMITS.graphqlPointsPerMinute, s.graphql),
    pacingPerInstance: per(60_000 / LIMITS.pacingMs, s.writes + s.graphql),
  };
};

export const githubThroughput: Scenario = {
  id: 'throughput',
  title: '3. Throughput under GitHub secondary limits (computed from scenario 1 counts)',
  run: async (context) => {
    if (context.shared.requestProfiles === undefined) {
      context.log('  (no scenario 1 counts yet: measuring them first)');
      await requestsPerPromotion.run(context);
    }
    for (const profile of context.shared.requestProfiles!) {
      const s = split(profile);
      const b = batchesPerMinute(s);
      const label = profile.charts === 1 ? 'unbatched' : `batch-${profile.charts}`;
      const perMinute = Math.min(b.contentPerMinute, b.restPoints, b.graphqlPoints);
      const binding =
        perMinute === b.contentPerMinute
          ? '80 content/min'
          : perMinute === b.restPoints
            ? '900 REST points/min'
            : '2,000 GraphQL points/min';
      const runs = profile.runs;
      context.sink.figure(
        `throughput.github.${label}.per-minute`,
        computed(perMinute * profile.charts, 'promotions/min', runs, `burst minute, bound by ${binding}`),
      );
      context.sink.figure(
        `throughput.github.${label}.sustained-hour`,
        computed(
          Math.min(perMinute, b.contentPerHour) * profile.charts,
          'promotions/min',
          runs,
          'under 500 content/h',
        ),
      );
      context.sink.figure(
        `throughput.github.${label}.one-instance`,
        computed(
          Math.min(perMinute, b.pacingPerInstance) * profile.charts,
          'promotions/min',
          runs,
          'one function instance, 1 s write pacing',
        ),
      );
      context.sink.figure(
        `latency.github.${label}.pacing-floor`,
        computed(
          Math.max(0, s.writes + s.graphql - 1) * LIMITS.pacingMs,
          'ms',
          runs,
          'added by 1 s write pacing',
        ),
      );
      context.sink.detail(`throughput.github.${label}.inputs`, {
        ...s,
        batchesPerMinute: b,
        charts: profile.charts,
      });
    }
    context.sink.note(
      'Scenario 3 limits: 80 content-creating req/min and 500/h (every REST POST/PATCH counted), 900 REST points/min ' +
        '(write 5, read 1), 2,000 GraphQL points/min (query 1); Octokit throttling spaces writes and GraphQL calls ' +
        '1,000 ms apart per process (production default; the local benchmarks run with writeSpacingMs: 0).',
    );
  },
};
