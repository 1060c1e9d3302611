import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleContents } from '../../../bench/lib/bundle-contents';
import { importInFreshNode } from '../../../bench/lib/fresh-node-import';
import { LAMBDA_BUNDLE_OPTIONS, REPO_ROOT } from '../../../infra/lambda/bundled-node-function';

/**
 * What the promote, feedback endpoint and feedback worker bundles (built as the stack builds them)
 * load at init: not Ajv (the HelmRelease validator is generated code; chart schemas load Ajv with
 * import()), not classic zod (zod/mini), and not Node's undici (no ES module import of node:http:
 * infra/lambda/bundled-node-function.ts COMMONJS_BUILTINS).
 */
const HANDLERS = ['promote', 'feedback', 'feedback-worker'] as const;

/** Node's internal modules a fresh process loaded by the end of importing `outfile`. */
const internalModulesAfterImport = async (outfile: string): Promise<string[]> =>
  JSON.parse(
    (await importInFreshNode(outfile, '', 'process.stdout.write(JSON.stringify(process.moduleLoadList));'))
      .stdout,
  ) as string[];

describe('the Lambda bundles at init', () => {
  let dir: string;
  const built = new Map<string, { outfile: string; initInputs: readonly string[]; inputs: string[] }>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bundle-init-'));
    for (const name of HANDLERS) {
      const outdir = path.join(dir, name);
      const result = await build({
        ...LAMBDA_BUNDLE_OPTIONS,
        entryPoints: [path.join(REPO_ROOT, 'functions/handlers', `${name}.ts`)],
        outdir,
        logLevel: 'error',
      });
      const { initInputs } = bundleContents(result.metafile);
      built.set(name, {
        outfile: path.join(outdir, 'index.mjs'),
        initInputs,
        inputs: Object.keys(result.metafile.inputs),
      });
    }
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(HANDLERS)('%s: loads no Ajv compiler at init, and carries zod/mini, not classic zod', (name) => {
    // Prepare
    const { initInputs, inputs } = built.get(name)!;
    // Act
    // Ajv's runtime helpers (ajv/dist/runtime/*) are what its standalone code calls: they may stay.
    const ajvAtInit = initInputs.filter(
      (input) => /node_modules\/(ajv|fast-uri)\//.test(input) && !input.includes('ajv/dist/runtime/'),
    );
    const classicZod = inputs.filter((input) => input.includes('node_modules/zod/v4/classic/'));
    // Assess
    expect(ajvAtInit).toEqual([]);
    expect(classicZod).toEqual([]);
    expect(inputs.some((input) => input.includes('node_modules/zod/v4/mini/'))).toBe(true);
  });

  it.each(HANDLERS)('%s: does not load undici when imported', async (name) => {
    // Prepare
    const { outfile } = built.get(name)!;
    // Act
    const modules = await internalModulesAfterImport(outfile);
    // Assess
    expect(modules.length).toBeGreaterThan(50);
    expect(modules.filter((module) => module.includes('undici'))).toEqual([]);
  });
});
