import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GIT_HOSTS, gitHostDescriptor } from '../../../functions/adapters/git-hosts/registry';
import { describeGitHostContract } from '../../support/git-host-contract';
import type { ContractVariant } from '../../support/git-host-fixtures/contract-fixture';

/**
 * The shared contract suite, run for every host the registry lists, through the registry: the host is
 * built by its descriptor's `create` from typed settings, exactly as the Lambda compositions build it.
 * A kind without a fixture module (test/support/git-host-fixtures/<kind>.ts) fails here: a new host
 * cannot be registered without passing the suite.
 */
const fixtureModule = (kind: string): string =>
  fileURLToPath(new URL(`../../support/git-host-fixtures/${kind}.ts`, import.meta.url));

const variantsOf = async (kind: string): Promise<readonly ContractVariant[] | undefined> => {
  if (!existsSync(fixtureModule(kind))) return undefined;
  const loaded = (await import(fixtureModule(kind))) as { contractVariants?: readonly ContractVariant[] };
  return loaded.contractVariants;
};

for (const descriptor of GIT_HOSTS) {
  const variants = await variantsOf(descriptor.kind);
  describe(`Git host "${descriptor.kind}" (${descriptor.displayName})`, () => {
    it('has a contract fixture in test/support/git-host-fixtures', () => {
      expect(variants?.length ?? 0, `test/support/git-host-fixtures/${descriptor.kind}.ts`).toBeGreaterThan(
        0,
      );
    });
    it('builds a host whose kind is the descriptor kind', async () => {
      const variant = variants?.[0];
      if (!variant) throw new Error(`no contract fixture for ${descriptor.kind}`);
      const fixture = await variant.start({ 'README.md': '# cluster\n' });
      try {
        const wiring = await gitHostDescriptor(descriptor.kind).create(fixture.settings);
        expect(wiring.host.kind).toBe(descriptor.kind);
        const before = wiring.requests();
        const snapshot = await wiring.host.snapshot(fixture.branch, { files: ['README.md'], trees: [] });
        expect(snapshot.head).toBe(await fixture.git('rev-parse', fixture.branch));
        expect(wiring.requests()).toBeGreaterThanOrEqual(before);
      } finally {
        await fixture.close();
      }
    });
  });
  for (const variant of variants ?? []) {
    describeGitHostContract(`${descriptor.kind} through the registry (${variant.name})`, async (seed) => {
      const { settings, ...fixture } = await variant.start(seed);
      const { host } = await gitHostDescriptor(descriptor.kind).create(settings);
      return { ...fixture, host };
    });
  }
}
