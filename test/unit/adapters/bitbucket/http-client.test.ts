import { describe, expect, it } from 'vitest';
import {
  BitbucketClient,
  bbqlString,
  encodePath,
  retryAfterSeconds,
} from '../../../../functions/adapters/git-hosts/bitbucket/http-client';
import { GitHostError } from '../../../../functions/ports/git-host-error';

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates (RFC 9110 §10.2.3), and nothing else', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds(' 7 ', now)).toBe(7);
    expect(retryAfterSeconds('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('', now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });
});

describe('BitbucketClient URLs', () => {
  const client = new BitbucketClient({ auth: { kind: 'token', token: 't' } });

  it('builds URLs under the API root with repeated query parameters', () => {
    expect(client.url('repositories/a/b/pullrequests', { state: ['OPEN', 'MERGED'], q: 'x = "y"' })).toBe(
      'https://api.bitbucket.org/2.0/repositories/a/b/pullrequests?state=OPEN&state=MERGED&q=x+%3D+%22y%22',
    );
  });

  it('follows next links under the API root only: the credentials go with them', () => {
    expect(client.followed('https://api.bitbucket.org/2.0/repositories/a/b/src/c/?page=2')).toBe(
      'https://api.bitbucket.org/2.0/repositories/a/b/src/c/?page=2',
    );
    for (const elsewhere of [
      'https://evil.example/2.0/x',
      'https://api.bitbucket.org/1.0/x',
      'http://api.bitbucket.org/2.0/x',
    ])
      expect(() => client.followed(elsewhere)).toThrow(GitHostError);
  });

  it('encodes path segments and filter strings', () => {
    expect(encodePath('charts/a b/ü?.yaml')).toBe('charts/a%20b/%C3%BC%3F.yaml');
    expect(bbqlString('say "hi" \\o/')).toBe('"say \\"hi\\" \\\\o/"');
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(
      () => new BitbucketClient({ auth: { kind: 'token', token: 't' }, baseUrl: 'file:///etc' }),
    ).toThrow(RangeError);
  });
});
