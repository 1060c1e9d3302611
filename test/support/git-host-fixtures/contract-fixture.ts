import type { GitHostSettings } from '../../../functions/adapters/git-hosts/descriptor';
import type { GitHostFixture } from '../git-host-contract';

/**
 * How the contract suite (test/support/git-host-contract.ts) reaches one registered Git host through
 * the registry: a local stand-in backed by a real git repository, and the settings that point the
 * host's descriptor at it. One module per kind in this folder, named `<kind>.ts`, exporting
 * `contractVariants`; test/integration/adapters/git-host-registry.test.ts runs the suite for every
 * kind in GIT_HOSTS and fails for a kind without its module.
 */
export interface RegistryFixture extends Omit<GitHostFixture, 'host'> {
  /** What the host's descriptor builds the host from. */
  readonly settings: GitHostSettings;
  /** The pull (merge) requests the stand-in holds, for hosts that have them. */
  pullRequests?(): readonly PullRequestRecord[];
}

/** A pull or merge request as the stand-in stores it, in one shape for every host. */
export interface PullRequestRecord {
  readonly number: number;
  readonly title: string;
  readonly body: string;
  readonly head: string;
  readonly base: string;
  readonly open: boolean;
}

export interface ContractVariant {
  /** What the variant exercises ('smart HTTP', 'local path'), shown in the suite's name. */
  readonly name: string;
  start(seed: Readonly<Record<string, string>>): Promise<RegistryFixture>;
}
