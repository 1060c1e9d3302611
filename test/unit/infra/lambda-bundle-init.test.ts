import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleContents } from '../../../bench/lib/bundle-contents';
import { LAMBDA_BUNDLE_OPTIONS, REPO_ROOT } from '../../../infra/lambda/bundled-node-function';

/**
 * What the promote, feedback endpoint and feedback worker bundles (built as the stack builds them)
 * load at init: not Ajv (the HelmRelease validator is generated code; chart schemas load Ajv with
 * import()), not classic zod (zod/mini), and not Node's undici (no ES module import of node:http:
 * infra/lambda/bundled-node-function.ts COMMONJS_BUILTINS).
 */
const HANDLERS = ['promote', 'feedback', 'feedback-worker'] as const;

/** What the compositions parse at import (as bench/scenarios/cold-start.ts sets it). */
const FUNCTION_ENV: Record<string, string> = {
  CHART_PROMOTER_REPOSITORY: 'o/r',
  CHART_PROMOTER_HELM_RENDER_CHECK: 'false',
  CHART_PROMOTER_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:test',
  CHART_PROMOTER_FEEDBACK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/test.fifo',
  CHART_PROMOTER_LEDGER_TABLE: 'ledger',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Node's internal modules a fresh process loaded by the end of importing `outfile`. */
const internalModulesAfterImport = (outfile: string) =>
  new Promise<string[]>((resolve, reject) => {
    const script =
      `await import(${JSON.stringify(pathToFileURL(outfile).href)});` +
      'process.stdout.write(JSON.stringify(process.moduleLoadList));';
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, ...FUNCTION_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as string[])
        : reject(new Error(`import failed (${code}): ${err}`)),
    );
  });

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
