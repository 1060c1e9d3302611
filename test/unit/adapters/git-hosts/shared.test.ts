import { describe, expect, it } from 'vitest';
import { gitHostErrorCodeOf } from '../../../../functions/adapters/git-hosts/shared/http-status';
import { assertPlainPath } from '../../../../functions/adapters/git-hosts/shared/repository-path';
import { countingFetch } from '../../../../functions/adapters/git-hosts/shared/request-counter';
import { retryAfterMs } from '../../../../functions/adapters/git-hosts/shared/retry-after';
import { GitHostError } from '../../../../functions/ports/git-host-error';

describe('what every Git host shares', () => {
  it.each([
    [401, 'AUTH_FAILED'],
    [403, 'AUTH_FAILED'],
    [404, 'NOT_FOUND'],
    [429, 'RATE_LIMITED'],
    [500, 'HOST_UNAVAILABLE'],
    [503, 'HOST_UNAVAILABLE'],
    [400, 'REQUEST_REJECTED'],
    [409, 'REQUEST_REJECTED'],
    [422, 'REQUEST_REJECTED'],
  ])('maps HTTP %i to %s', (status, code) => {
    expect(gitHostErrorCodeOf(status)).toBe(code);
  });

  it('reads Retry-After as seconds or an HTTP-date (RFC 9110 §10.2.3), nothing else', () => {
    const now = new Date('2026-01-01T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Thu, 01 Jan 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('counts the requests a fetch sends', async () => {
    const counted = countingFetch(async () => new Response('ok'));
    await counted.fetch('http://127.0.0.1/');
    await counted.fetch('http://127.0.0.1/again');
    expect(counted.requests()).toBe(2);
  });

  it.each(['a//b', './a', 'a/../b', '.git/config', 'charts/.git/x', '/abs', 'a/'])(
    'refuses the repository path %s',
    (path) => {
      expect(() => assertPlainPath({ path, content: null })).toThrow(GitHostError);
    },
  );

  it('accepts plain repository paths', () => {
    expect(() => assertPlainPath({ path: 'charts/demo/1.0.0/.helmignore', content: null })).not.toThrow();
  });
});
