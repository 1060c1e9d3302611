import { afterEach, describe, expect, it } from 'vitest';
import { type BitbucketApiServer, startBitbucketApiServer } from '../../support/bitbucket-api-server';
import { createSpecValidator } from '../../support/bitbucket-api-server/spec-validator';

/**
 * The stand-in's own checks can fail: traffic Atlassian's OpenAPI description does not allow (or that
 * the stand-in cannot reproduce) is recorded and refused, so an adapter test that sends it fails.
 */

const servers: BitbucketApiServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const serve = async () => {
  const server = await startBitbucketApiServer({ seed: { 'README.md': '# r\n' } });
  servers.push(server);
  return server;
};

const call = (server: BitbucketApiServer, path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/repositories/acme/cluster${path}`, {
    ...init,
    headers: { authorization: `Bearer ${server.token}`, ...init.headers },
  });

describe('Bitbucket stand-in validation', () => {
  it('refuses and records a query parameter the operation does not document', async () => {
    const server = await serve();
    const answer = await call(server, '/src/main/?recursive=true');
    expect(answer.status).toBe(400);
    expect(server.validationErrors()).toEqual([
      'GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}: query parameter "recursive" is not documented',
    ]);
  });

  it('refuses and records a pull request body off the pullrequest schema', async () => {
    const server = await serve();
    const answer = await call(server, '/pullrequests', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'pullrequest', title: 't', source: 'main' }),
    });
    expect(answer.status).toBe(400);
    expect(server.validationErrors().join('\n')).toMatch(/request body: \/source must be object/);
  });

  it('records a commit whose file field has no filename, and refuses a repeated branch field', async () => {
    const server = await serve();
    const form = new FormData();
    form.append('message', 'm');
    form.append('/a.txt', 'no filename: not a file field in multipart');
    await call(server, '/src', { method: 'POST', body: form });
    const twice = new FormData();
    twice.append('branch', 'main');
    twice.append('branch', 'other');
    const refused = await call(server, '/src', { method: 'POST', body: twice });
    expect(refused.status).toBe(400);
    expect(server.validationErrors()).toEqual([
      expect.stringContaining('multipart field "/a.txt" has no filename'),
      expect.stringContaining('the branch field is repeated'),
    ]);
  });

  it('records a filter the stand-in cannot evaluate faithfully', async () => {
    const server = await serve();
    const answer = await call(server, `/src/main/?q=${encodeURIComponent('mimetype = "text/plain"')}`);
    expect(answer.status).toBe(400);
    expect(server.validationErrors().join('\n')).toContain('filters only on path, type, size, attributes');
  });

  it('flags answers with an undocumented status or off their schema', async () => {
    const validator = await createSpecValidator();
    const branch = validator.operation('GET', '/repositories/{workspace}/{repo_slug}/refs/branches/{name}');
    expect(branch.response(418, undefined, false)).toEqual([
      'GET /repositories/{workspace}/{repo_slug}/refs/branches/{name} answered 418, which its description does not document',
    ]);
    expect(branch.response(200, { type: 'branch', name: 3 }, true).join('')).toMatch(/name must be string/);
    expect(branch.response(404, { message: 'no type' }, true).join('')).toMatch(
      /must have required property 'type'/,
    );
  });
});
