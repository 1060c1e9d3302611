import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commitFile, createBareRepo } from '../bare-repo';
import { startGitHttpServer } from '../git-http-server';
import type { ContractVariant } from './contract-fixture';

/** A bare repository on a local path, and the same behind `git http-backend` (smart HTTP). */
export const contractVariants: readonly ContractVariant[] = [
  {
    name: 'local path',
    start: async (seed) => {
      const root = await mkdtemp(path.join(tmpdir(), 'plain-git-local-'));
      const repo = path.join(root, 'cluster.git');
      const git = await createBareRepo(repo, seed);
      return {
        settings: { repository: repo, workDir: path.join(root, 'work') },
        branch: 'main',
        git,
        competingCommit: (file, content) => commitFile(repo, 'main', file, content),
        close: () => rm(root, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'smart HTTP',
    start: async (seed) => {
      const root = await mkdtemp(path.join(tmpdir(), 'plain-git-http-'));
      const repo = path.join(root, 'cluster.git');
      const git = await createBareRepo(repo, seed);
      const server = await startGitHttpServer({ root });
      return {
        settings: { repository: server.url('cluster.git'), workDir: path.join(root, 'work') },
        branch: 'main',
        git,
        competingCommit: (file, content) => commitFile(repo, 'main', file, content),
        close: async () => {
          await server.close();
          await rm(root, { recursive: true, force: true });
        },
      };
    },
  },
];
