import { PromoterError } from '../../errors';
import { bitbucketHost } from './bitbucket/descriptor';
import type { GitCredentials, GitHostDescriptor, GitHostSettings, GitHostWiring } from './descriptor';
import { plainGitHost } from './git/descriptor';
import { githubHost } from './github/descriptor';
import { gitlabHost } from './gitlab/descriptor';

/**
 * The one list of Git host kinds. Config (CHART_PROMOTER_GIT_HOST_KIND), the CDK props
 * (`gitHostKind`), the compositions and the contract test suite all read it; adding a host is its
 * folder beside this file and one line here (ARCHITECTURE.md, "Adding a Git host").
 */
export const GIT_HOSTS = [githubHost, plainGitHost, bitbucketHost, gitlabHost] as const;

/** 'github' | 'git' | …: derived from the list, never spelled out elsewhere. */
export type GitHostKind = (typeof GIT_HOSTS)[number]['kind'];

export const GIT_HOST_KINDS: readonly GitHostKind[] = GIT_HOSTS.map((host) => host.kind);

/** The kind of a deployment that names none (CHART_PROMOTER_GIT_HOST_KIND unset, no `gitHostKind` prop). */
export const DEFAULT_GIT_HOST_KIND: GitHostKind = 'github';

export const isGitHostKind = (value: unknown): value is GitHostKind =>
  typeof value === 'string' && (GIT_HOST_KINDS as readonly string[]).includes(value);

/** `"github" or "git"`, `"a", "b" or "c"`: the kinds as a message lists them. */
export const gitHostKindList = (): string => {
  const quoted = GIT_HOST_KINDS.map((kind) => JSON.stringify(kind));
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
};

/** The descriptor of `kind`; an unknown kind is a terminal CONFIG_INVALID. */
export const gitHostDescriptor = (kind: string): GitHostDescriptor => {
  const found = GIT_HOSTS.find((host) => host.kind === kind);
  if (!found)
    throw new PromoterError(
      'CONFIG_INVALID',
      'terminal',
      `unknown Git host kind ${JSON.stringify(kind)}: must be ${gitHostKindList()}`,
    );
  return found;
};

const CREDENTIAL_NAMES: Readonly<Record<GitCredentials['kind'], string>> = {
  token: 'a token',
  'github-app': 'GitHub App credentials',
  basic: 'a username and password',
};

/** What the host accepts, for messages: "a token or GitHub App credentials". */
export const acceptedCredentials = (descriptor: GitHostDescriptor): string =>
  descriptor.credentialKinds.map((kind) => CREDENTIAL_NAMES[kind]).join(' or ');

/**
 * Whether these credentials (absent: none) can drive the host; `undefined` when they can. Checked at
 * the edge so a wrong secret fails loudly when the function starts, not as AUTH_FAILED on a commit.
 */
export const credentialsProblem = (
  descriptor: GitHostDescriptor,
  credentials: GitCredentials | undefined,
): string | undefined => {
  if (credentials === undefined)
    return descriptor.anonymous
      ? undefined
      : `the ${descriptor.kind} host needs a credentials secret holding ${acceptedCredentials(descriptor)}`;
  if (descriptor.credentialKinds.includes(credentials.kind)) return undefined;
  return `the ${descriptor.kind} host does not accept ${CREDENTIAL_NAMES[credentials.kind]}: give ${acceptedCredentials(descriptor)}`;
};

/** Problems with a configured base URL for a host that takes one (the descriptor's own rules). */
export const baseUrlProblems = (descriptor: GitHostDescriptor, baseUrl: string): string[] =>
  descriptor.baseUrlProblems?.(baseUrl) ?? [];

/**
 * Builds the configured host through its descriptor, after the checks every host shares: a known
 * kind, a repository of the host's syntax, a base URL only where the host takes one, credentials it
 * accepts. Each failure is a terminal CONFIG_INVALID. Only the chosen host's adapter is loaded.
 */
export const createGitHost = async (kind: string, settings: GitHostSettings): Promise<GitHostWiring> => {
  const descriptor = gitHostDescriptor(kind);
  const problems = descriptor
    .repositoryProblems(settings.repository)
    .map((problem) => `repository ${JSON.stringify(settings.repository)} ${problem} for ${kind}`);
  if (settings.baseUrl !== undefined && !descriptor.customBaseUrl)
    problems.push(`a base URL does not apply to gitHostKind ${kind}`);
  else if (settings.baseUrl !== undefined)
    problems.push(...baseUrlProblems(descriptor, settings.baseUrl).map((p) => `base URL ${p}`));
  const credentials = credentialsProblem(descriptor, settings.credentials);
  if (credentials !== undefined) problems.push(credentials);
  if (problems.length > 0) throw new PromoterError('CONFIG_INVALID', 'terminal', problems.join('; '));
  return descriptor.create(settings);
};
