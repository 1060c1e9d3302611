import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startGitHubApiServer } from '../github-api-server';
import type { ContractVariant } from './contract-fixture';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** The local GitHub API server (REST + GraphQL over a real repository, checked against GitHub's OpenAPI). */
export const contractVariants: readonly ContractVariant[] = [
  {
    name: 'local GitHub API server',
    start: async (seed) => {
      const server = await startGitHubApiServer({ seed });
      const workDir = await mkdtemp(path.join(tmpdir(), 'github-contract-'));
      return {
        settings: {
          repository: `${server.owner}/${server.repo}`,
          baseUrl: server.url,
          credentials: { kind: 'token', token: server.token },
          workDir,
          // GitHub's ~1 s pacing of content-creating requests would only measure a sleep here.
          tuning: { writeSpacingMs: 0, log: quiet },
        },
        branch: server.branch,
        git: (...args) => server.git(...args),
        competingCommit: (file, content) => server.competingCommit(file, content),
        pullRequests: () =>
          server.pulls().map((pr) => ({
            number: pr.number,
            title: pr.title,
            body: pr.body,
            head: pr.head,
            base: pr.base,
            open: pr.state === 'open',
          })),
        close: async () => {
          const errors = server.validationErrors();
          await server.close();
          await rm(workDir, { recursive: true, force: true });
          expect(errors).toEqual([]);
        },
      };
    },
  },
];
