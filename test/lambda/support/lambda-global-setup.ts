import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { sandboxProblem } from './lambda-sandbox';
import { synthesize } from './synthesized-app';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cloud assembly `cdk synth` wrote for this run (read it with readSynthesizedApp). */
    synthDir: string;
  }
}

/**
 * Once per `npm run test:lambda`: fail at once, saying what to install, when the sandbox cannot run
 * (never a silent skip), then synthesize the app once into a temporary folder every test file reads.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const problem = await sandboxProblem();
  if (problem !== undefined) throw new Error(problem);
  const outDir = await mkdtemp(path.join(tmpdir(), 'chart-promoter-synth-'));
  await synthesize(outDir);
  project.provide('synthDir', outDir);
  return () => rm(outDir, { recursive: true, force: true });
}
