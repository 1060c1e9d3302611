import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commitMessage } from '../../../../functions/promotion/uploads/commit-message';
import { makeRequest } from '../../../support/promotion-fixtures';

/** Git's own trailer parser: what `git log --format=%(trailers)` and tools will read. */
const gitTrailers = async (message: string): Promise<string[]> => {
  const child = promisify(execFile)('git', ['interpret-trailers', '--parse'], { encoding: 'utf8' });
  child.child.stdin?.end(message);
  return (await child).stdout.trim().split('\n');
};

describe('commitMessage', () => {
  it('names one move in the subject and the run, source and digest in git trailers', async () => {
    // Prepare
    const request = {
      ...makeRequest('podinfo', '6.14.1', 'dev', { runId: 'run-7' }),
      source: { bucket: 'uploads', key: 'incoming/team a/podinfo+6.14.1.tgz', versionId: 'v/2' },
    };
    // Act
    const message = commitMessage([request]);
    // Assess
    expect(message.split('\n')[0]).toBe('promote podinfo 6.14.1 to dev');
    expect(await gitTrailers(message)).toEqual([
      'Chart-Promoter-Run: run-7',
      'Chart-Promoter-Source: s3://uploads/incoming/team%20a/podinfo%2B6.14.1.tgz?versionId=v%2F2',
      `Chart-Promoter-Digest: ${request.chart.digest}`,
    ]);
  });

  it('lists a short batch in the subject and every move in the body, with trailers for each', async () => {
    // Prepare
    const requests = [makeRequest('a', '1.0.0'), makeRequest('b', '2.0.0')];
    // Act
    const message = commitMessage(requests);
    // Assess
    const [subject, blank, ...rest] = message.split('\n');
    expect(subject).toBe('promote a 1.0.0, b 2.0.0 to dev');
    expect(blank).toBe('');
    expect(rest.slice(0, 2)).toEqual(['- a 1.0.0 → dev', '- b 2.0.0 → dev']);
    expect(await gitTrailers(message)).toHaveLength(6);
  });

  it('counts a long batch in the subject', () => {
    // Prepare
    const names = ['frontend', 'backend', 'payments', 'notifications'];
    // Act
    const oneEnvironment = commitMessage(names.map((name) => makeRequest(name, '10.20.30')));
    const several = commitMessage(
      names.map((name, i) => makeRequest(name, '10.20.30', i % 2 ? 'dev' : 'staging')),
    );
    // Assess
    expect(oneEnvironment.split('\n')[0]).toBe('promote 4 charts to dev');
    expect(several.split('\n')[0]).toBe('promote 4 charts');
  });
});
