import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { LAMBDA_BUNDLE_OPTIONS } from '../../infra/lambda/bundled-node-function';
import { ScenarioTally } from '../support/reliability/reliability-report';

/**
 * Scenario 8 (the part that needs no network): the promote function's bundle, built with esbuild
 * as the stack builds it (LAMBDA_BUNDLE_OPTIONS of infra/lambda/bundled-node-function.ts, every chunk
 * included), contains no development dependency. Dev-only packages
 * are the ones package-lock.json marks `"dev": true` (devDependencies and everything only they
 * need). `npm audit --omit=dev` needs the registry and is run outside the suite (see the README).
 */

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const ENTRY = path.join(REPO_ROOT, 'functions/handlers/promote.ts');
const tally = new ScenarioTally('8 dependencies');
afterAll(() => tally.finish());

interface LockPackage {
  readonly dev?: boolean;
  readonly devOptional?: boolean;
}

/** `node_modules/a/node_modules/@b/c/dist/x.js` → `node_modules/a/node_modules/@b/c` (a lock key). */
const lockKeyOf = (input: string): string | undefined => {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  return `${input.slice(0, at)}node_modules/${name}`;
};

describe('reliability 8: dependencies', () => {
  it('the promote bundle contains no development dependency', async () => {
    // Prepare
    const lock = JSON.parse(await readFile(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockPackage>;
    };
    const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };

    // Act
    const result = await build({
      ...LAMBDA_BUNDLE_OPTIONS,
      entryPoints: [ENTRY],
      absWorkingDir: REPO_ROOT,
      outdir: path.join(REPO_ROOT, 'bundle-not-written'),
      write: false,
      logLevel: 'silent',
    });

    // Assess
    const inputs = Object.keys(result.metafile.inputs);
    const packages = [
      ...new Set(inputs.map(lockKeyOf).filter((key): key is string => key !== undefined)),
    ].sort();
    const unknown = packages.filter((key) => lock.packages[key] === undefined);
    const devOnly = packages.filter(
      (key) => lock.packages[key]?.dev === true || lock.packages[key]?.devOptional === true,
    );
    const direct = Object.keys(manifest.devDependencies).filter((name) =>
      packages.some((key) => key.endsWith(`node_modules/${name}`)),
    );
    const bytes = result.outputFiles.reduce((sum, file) => sum + file.contents.byteLength, 0);
    tally.add({ cases: packages.length, refused: devOnly.length + direct.length });
    tally.note(
      `promote bundle: ${packages.length} packages, ${inputs.length} modules, ${(bytes / 1024 ** 2).toFixed(1)} MiB unminified; ` +
        'npm audit --omit=dev: not runnable here (the registry answers 405 to the audit endpoint)',
    );
    expect(packages.length).toBeGreaterThan(10);
    expect(packages.some((key) => key.endsWith('node_modules/@aws-sdk/client-s3'))).toBe(true);
    expect(unknown).toEqual([]);
    expect(devOnly).toEqual([]);
    expect(direct).toEqual([]);
  }, 120_000);
});
