import type { GitHost } from '../../ports/git-host';
import type { GitCredentials } from '../secrets/git-credentials';

export type { GitCredentials } from '../secrets/git-credentials';

/**
 * What the rest of chart-promoter knows about one kind of Git host: its repository syntax, the
 * credentials it accepts, how config and CDK validate it, and how to build its adapter. One descriptor
 * per folder beside this file, listed once in registry.ts (ARCHITECTURE.md, "Adding a Git host").
 */

/** Everything a host needs to be built, already parsed and validated at the edge. */
export interface GitHostSettings {
  /** As the user wrote it; its syntax is the descriptor's (owner/name, workspace/repo, group/sub/project, URL). */
  readonly repository: string;
  /** API root for self-managed/Enterprise installs; absent = the descriptor's default. */
  readonly baseUrl?: string;
  /** From the credentials secret; absent = anonymous (only where `anonymous` is true). */
  readonly credentials?: GitCredentials;
  /** A writable scratch directory (Lambda: under /tmp) for hosts that need one. */
  readonly workDir: string;
  /** Injected for tests and for the request counter; default globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /**
   * Host-specific knobs of the adapter's client, for tests and benchmarks against local stand-ins
   * (e.g. GitHub's `writeSpacingMs: 0`); each descriptor documents the keys it reads and ignores the
   * rest. Production leaves it unset.
   */
  readonly tuning?: Readonly<Record<string, unknown>>;
}

export interface GitHostWiring {
  readonly host: GitHost;
  /** Monotonic count of HTTP requests sent to the host (benchmarks, logs). */
  readonly requests: () => number;
}

/** Where a repository is checked: locally (tests, the embedded runtime) or for a deployed function. */
export interface RepositoryContext {
  /** A deployed function: no local paths, and credentials travel over TLS only. */
  readonly deployed: boolean;
}

export interface GitHostDescriptor {
  /** The value of CHART_PROMOTER_GIT_HOST_KIND / the CDK prop `gitHostKind` (the registry lists them). */
  readonly kind: string;
  /** The host's name as its users know it ('GitHub', 'plain git'), for messages, --help and docs. */
  readonly displayName: string;
  /** What a repository looks like for this host, for messages: 'owner/name', 'workspace/repo', … */
  readonly repositoryFormat: string;
  /**
   * Pure. Problems with `repository` for this host; [] when fine. Used by config, CDK validation, the
   * CLI. Messages are phrased to follow the setting's name ("must be …"); callers add the context.
   * `context` is optional: a descriptor that does not care may ignore it.
   */
  repositoryProblems(repository: string, context?: RepositoryContext): string[];
  /** Default API root (e.g. 'https://api.bitbucket.org/2.0'); undefined when the host has none. */
  readonly defaultBaseUrl?: string;
  /** Whether a custom base URL may be configured (GitHub Enterprise, self-managed GitLab). */
  readonly customBaseUrl: boolean;
  /**
   * Pure. Problems with a configured base URL beyond "an http(s) URL" (which config and CDK check for
   * every host), phrased like `repositoryProblems`; absent = any such URL. Only asked where
   * `customBaseUrl` is true.
   */
  baseUrlProblems?(baseUrl: string): string[];
  /** Credential kinds this host accepts from the secret. */
  readonly credentialKinds: readonly GitCredentials['kind'][];
  /**
   * What to put in the credentials secret, for its description and messages: the JSON shapes with
   * what each is (`{"token"} (a project access token, scope api)`), never a value.
   */
  readonly credentialsFormat: string;
  /** Whether the host can run with no credentials at all (plain git over a local path). */
  readonly anonymous: boolean;
  /** What the host calls a pull request in its own UI ('pull request', 'merge request'). */
  readonly pullRequestNoun: string;
  /**
   * Builds the adapter. The adapter module is imported lazily inside (`await import('./adapter')`), so
   * a function evaluates only the configured host's code (cold start).
   */
  create(settings: GitHostSettings): Promise<GitHostWiring>;
}

/**
 * Declares a descriptor and keeps its `kind` as a literal type, so the registry can derive the union
 * of kinds (`GitHostKind`) from its one list.
 */
export const defineGitHost = <const Kind extends string>(
  descriptor: GitHostDescriptor & { readonly kind: Kind },
): GitHostDescriptor & { readonly kind: Kind } => descriptor;
