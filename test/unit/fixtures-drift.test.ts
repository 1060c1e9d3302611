import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The fixtures under test/fixtures are copies of the team's shared folder (../shared beside a
 * developer's checkout), so a user's clone is self-contained. Where that folder exists (developer
 * machines, CI), every copy must still equal its original; a user's clone has no ../shared and has
 * nothing to compare, which this test says in its name rather than skipping silently.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const sharedRoot = path.resolve(repoRoot, '../shared');

const copies: readonly { readonly shared: string; readonly local: string }[] = [
  { shared: 'fixtures/charts', local: 'test/fixtures/charts' },
  { shared: 'flux-crds', local: 'test/fixtures/flux-crds' },
  { shared: 'host-specs/bitbucket-cloud', local: 'test/fixtures/host-specs/bitbucket-cloud' },
];

const hasShared = existsSync(sharedRoot);

describe(`fixture copies ${hasShared ? 'equal ../shared' : '(no ../shared beside this clone: each copy is checked for presence only)'}`, () => {
  for (const { shared, local } of copies) {
    it(`${local} holds every file of ${shared}, byte for byte`, () => {
      const localDir = path.join(repoRoot, local);
      expect(readdirSync(localDir)).toContain('README.md');
      expect(readdirSync(localDir).length).toBeGreaterThan(1);
      if (!hasShared) return;
      const sharedDir = path.join(sharedRoot, shared);
      // The READMEs differ on purpose: the copies add where they came from for a reader of the clone.
      for (const file of readdirSync(sharedDir).filter((f) => f !== 'README.md')) {
        const original = readFileSync(path.join(sharedDir, file));
        const copy = readFileSync(path.join(localDir, file));
        expect(copy.equals(original), `${local}/${file} differs from ../shared/${shared}/${file}`).toBe(true);
      }
    });
  }
});
