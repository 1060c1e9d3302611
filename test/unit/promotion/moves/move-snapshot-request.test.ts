import { describe, expect, it } from 'vitest';
import { moveSnapshotRequest } from '../../../../functions/promotion/moves/environment-move';
import { parsePolicy } from '../../../../functions/promotion/policy/parse-policy';
import type { PromotionPolicy } from '../../../../functions/promotion/policy/policy';

const policy = (): PromotionPolicy => {
  const parsed = parsePolicy(`environments:
  - name: dev
  - name: staging
    after: dev
  - name: prod
    after: staging
    mode: pull-request
`);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.policy;
};

const promote = (to: string, from: string) =>
  ({ kind: 'promote', chart: 'web', version: '1.2.0', from, to, runId: 'r' }) as const;

/**
 * What an environment move reads. Bitbucket exposes no tree ids (one is computed from every file's
 * bytes, a request per file), so a move into a direct environment asks only whether the version's
 * directory exists; the pull-request body compares versions by tree id, so a gated environment reads
 * them.
 */
describe('moveSnapshotRequest', () => {
  it('asks a direct environment only whether the version exists: no tree ids, no values', () => {
    // Act
    const request = moveSnapshotRequest(promote('staging', 'dev'), undefined, undefined, policy());
    // Assess
    expect(request).toEqual({
      files: [
        'environments/dev/web.yaml',
        'environments/staging/kustomization.yaml',
        'environments/staging/web.yaml',
      ],
      trees: [],
      exists: ['charts/web/1.2.0'],
    });
  });

  it('reads the tree ids and values the pull-request body compares for a gated environment', () => {
    // Act
    const request = moveSnapshotRequest(promote('prod', 'staging'), undefined, undefined, policy());
    // Assess
    expect(request.trees).toEqual(['charts/web/1.2.0', 'charts/web/1.2.0/templates']);
    expect(request.files).toContain('charts/web/1.2.0/values.yaml');
    expect(request.exists).toEqual(['charts/web/1.2.0']);
  });

  it('reads them too when no policy is given (a caller planning on its own)', () => {
    // Act
    const request = moveSnapshotRequest(promote('staging', 'dev'), undefined);
    // Assess
    expect(request.trees).toEqual(['charts/web/1.2.0', 'charts/web/1.2.0/templates']);
  });
});
