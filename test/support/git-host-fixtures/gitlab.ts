import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startGitLabApiServer } from '../gitlab-api-server';
import type { ContractVariant } from './contract-fixture';

/**
 * The local GitLab stand-in (REST v4, GraphQL and git's receive-pack over a real repository, each
 * behaviour from GitLab's documentation or source: its CATALOGUE.md), as a self-managed instance at
 * its own base URL, in a subgroup (`group/subgroup/project`).
 */
export const contractVariants: readonly ContractVariant[] = [
  {
    name: 'local GitLab API server',
    start: async (seed) => {
      const server = await startGitLabApiServer({ seed });
      const workDir = await mkdtemp(path.join(tmpdir(), 'gitlab-contract-'));
      return {
        settings: {
          repository: server.projectPath,
          baseUrl: server.url,
          credentials: { kind: 'token', token: server.token },
          workDir,
          tuning: { serverErrorBackoffMs: 10 },
        },
        branch: server.branch,
        git: (...args) => server.git(...args),
        competingCommit: (file, content) => server.competingCommit(file, content),
        pullRequests: () =>
          server.mergeRequests().map((mr) => ({
            number: mr.iid,
            title: mr.title,
            body: mr.description,
            head: mr.sourceBranch,
            base: mr.targetBranch,
            open: mr.state === 'opened',
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
