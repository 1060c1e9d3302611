import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startBitbucketApiServer } from '../bitbucket-api-server';
import type { ContractVariant } from './contract-fixture';

/**
 * The local Bitbucket Cloud stand-in (REST API 2.0 over a real repository, every request and answer
 * checked against Atlassian's OpenAPI description), with an access token (Basic credentials are
 * covered by bitbucket-git-host.test.ts). `settings.baseUrl` points the descriptor at the stand-in:
 * the registry refuses a base URL for bitbucket from configuration, `create` honours it for tests.
 */
export const contractVariants: readonly ContractVariant[] = [
  {
    name: 'local Bitbucket Cloud API server',
    start: async (seed) => {
      const server = await startBitbucketApiServer({ seed });
      const workDir = await mkdtemp(path.join(tmpdir(), 'bitbucket-contract-'));
      return {
        settings: {
          repository: `${server.workspace}/${server.repo}`,
          baseUrl: server.url,
          credentials: { kind: 'token', token: server.token },
          workDir,
          // A retried 5xx waits 10 ms here, not a second.
          tuning: { backoffMs: 10 },
        },
        branch: server.branch,
        git: (...args) => server.git(...args),
        competingCommit: (file, content) => server.competingCommit(file, content),
        pullRequests: () =>
          server.pulls().map((pr) => ({
            number: pr.id,
            title: pr.title,
            body: pr.description,
            head: pr.source,
            base: pr.destination,
            open: pr.state === 'OPEN',
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
