import { defineGitHost, type GitHostSettings } from '../descriptor';
import type { PlainGitRemote } from './plain-git-host';

const isHttpsUrl = (value: string): boolean => {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
};

/** `settings.tuning` keys read: `timeoutMs` and `maxPacks` of the HTTP transport (plain-git-http.ts). */
const tuningOf = (tuning: GitHostSettings['tuning']): { timeoutMs?: number; maxPacks?: number } => ({
  ...(typeof tuning?.timeoutMs === 'number' ? { timeoutMs: tuning.timeoutMs } : {}),
  ...(typeof tuning?.maxPacks === 'number' ? { maxPacks: tuning.maxPacks } : {}),
});

const remoteOf = (settings: GitHostSettings): PlainGitRemote => {
  if (settings.repository.startsWith('/')) return { path: settings.repository };
  const credentials = settings.credentials;
  return {
    url: settings.repository,
    workDir: settings.workDir,
    ...tuningOf(settings.tuning),
    ...(credentials?.kind === 'token' ? { auth: { token: credentials.token } } : {}),
    ...(credentials?.kind === 'basic'
      ? { auth: { username: credentials.username, password: credentials.password } }
      : {}),
  };
};

/**
 * Any plain git repository (Bitbucket, GitLab, Gitea, CodeCommit over smart HTTP, or a bare repository
 * on a local path), with isomorphic-git: no pull requests, a pushed branch instead (plain-git-host.ts).
 * Requests are counted by the HTTP transport; a local path makes none.
 */
export const plainGitHost = defineGitHost({
  kind: 'git',
  displayName: 'plain git',
  repositoryFormat: 'an https:// clone URL (locally also http:// or an absolute path)',
  repositoryProblems: (repository, context) => {
    if (context?.deployed) return isHttpsUrl(repository) ? [] : ['must be an https:// clone URL'];
    return /^https?:\/\//.test(repository) || repository.startsWith('/')
      ? []
      : ['must be an http(s) URL or absolute path'];
  },
  customBaseUrl: false,
  credentialKinds: ['token', 'basic'],
  credentialsFormat:
    '{"username", "password"} (HTTP Basic for git over HTTPS) or {"token"} (sent as the Basic password); none for a public or local repository',
  anonymous: true,
  pullRequestNoun: 'pull request',
  create: async (settings) => {
    const fs = await import('node:fs');
    const { PlainGitHost } = await import('./plain-git-host');
    const host = new PlainGitHost({ remote: remoteOf(settings), fs });
    return { host, requests: () => host.stats().requests };
  },
});
