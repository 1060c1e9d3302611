import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root, where cdk.json names the app. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * The cloud assembly `cdk synth` writes, read the way Lambda would be given it: each
 * AWS::Lambda::Function of the stack with its handler, runtime, memory, timeout, /tmp size, layers and
 * environment, and the asset directory CDK staged for its code (`aws:asset:path` metadata, the
 * directory the CLI zips and uploads on deploy).
 */

/** A template value: a literal or a CloudFormation intrinsic (resolved later by resolveCfnValue). */
export type CfnValue = string | number | boolean | { readonly [intrinsic: string]: unknown };

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

export interface SynthesizedLayer {
  readonly logicalId: string;
  /** The layer's zip (or directory) in the assembly. */
  readonly asset: string;
}

export interface SynthesizedFunction {
  readonly logicalId: string;
  /** The construct path, e.g. `ChartPromoter/Pipeline/Promote/Function/Resource`. */
  readonly constructPath: string;
  readonly handler: string;
  readonly runtime: string;
  readonly architectures: readonly string[];
  /** MB; Lambda's default 128. */
  readonly memorySize: number;
  /** Seconds; Lambda's default 3. */
  readonly timeout: number;
  /** MB of /tmp; Lambda's default 512. */
  readonly ephemeralStorage: number;
  /** The code asset: a directory of the assembly (or a zip, for code not bundled by CDK). */
  readonly asset: string;
  readonly layers: readonly SynthesizedLayer[];
  /** Environment.Variables as written in the template, intrinsics unresolved. */
  readonly environment: Readonly<Record<string, CfnValue>>;
  /** LoggingConfig.LogFormat (`JSON` sets AWS_LAMBDA_LOG_FORMAT in Lambda), LogGroup as a value. */
  readonly logFormat?: string;
  readonly logGroup?: CfnValue;
  /** TracingConfig.Mode: `Active` or `PassThrough` (the default). */
  readonly tracing: string;
}

export interface SynthesizedApp {
  readonly outDir: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly functions: readonly SynthesizedFunction[];
  /** The one function whose construct path contains `pathPart` (e.g. `Promote/Function`). */
  function(pathPart: string): SynthesizedFunction;
}

/**
 * `cdk synth` exactly as a user runs it (the app in cdk.json, no context), into `outDir`. Offline:
 * notices are not fetched. Takes ~15 s; do it once per test run (lambda-global-setup.ts).
 */
export const synthesize = async (outDir: string): Promise<void> => {
  await run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
};

const metadataPath = (resource: CfnResource, outDir: string, what: string): string => {
  const asset = resource.Metadata?.['aws:asset:path'];
  if (typeof asset !== 'string') throw new Error(`${what}: no aws:asset:path metadata in the template`);
  return path.join(outDir, asset);
};

const layersOf = (fn: CfnResource, template: CfnTemplate, outDir: string, id: string): SynthesizedLayer[] => {
  const layers = (fn.Properties?.Layers as unknown[] | undefined) ?? [];
  return layers.map((layer) => {
    const ref = (layer as { Ref?: unknown }).Ref;
    const resource = typeof ref === 'string' ? template.Resources[ref] : undefined;
    if (typeof ref !== 'string' || resource?.Type !== 'AWS::Lambda::LayerVersion')
      throw new Error(
        `${id}: layer ${JSON.stringify(layer)} is not a layer of this assembly; only those can be unpacked locally`,
      );
    return { logicalId: ref, asset: metadataPath(resource, outDir, `layer ${ref}`) };
  });
};

const toFunction = (
  id: string,
  fn: CfnResource,
  template: CfnTemplate,
  outDir: string,
): SynthesizedFunction => {
  const p = fn.Properties ?? {};
  const logging = p.LoggingConfig as { LogFormat?: string; LogGroup?: CfnValue } | undefined;
  return {
    logicalId: id,
    constructPath: String(fn.Metadata?.['aws:cdk:path'] ?? id),
    handler: String(p.Handler),
    runtime: String(p.Runtime),
    architectures: (p.Architectures as string[] | undefined) ?? ['x86_64'],
    memorySize: Number(p.MemorySize ?? 128),
    timeout: Number(p.Timeout ?? 3),
    ephemeralStorage: Number((p.EphemeralStorage as { Size?: number } | undefined)?.Size ?? 512),
    asset: metadataPath(fn, outDir, `function ${id}`),
    layers: layersOf(fn, template, outDir, id),
    environment: (p.Environment as { Variables?: Record<string, CfnValue> } | undefined)?.Variables ?? {},
    tracing: (p.TracingConfig as { Mode?: string } | undefined)?.Mode ?? 'PassThrough',
    ...(logging?.LogFormat === undefined ? {} : { logFormat: logging.LogFormat }),
    ...(logging?.LogGroup === undefined ? {} : { logGroup: logging.LogGroup }),
  };
};

/** Reads the one stack of the assembly in `outDir`. */
export const readSynthesizedApp = async (outDir: string): Promise<SynthesizedApp> => {
  const templates = (await readdir(outDir)).filter((file) => file.endsWith('.template.json'));
  if (templates.length !== 1)
    throw new Error(`expected one stack template in ${outDir}, found ${templates.join(', ') || 'none'}`);
  const file = templates[0]!;
  const template = JSON.parse(await readFile(path.join(outDir, file), 'utf8')) as CfnTemplate;
  const functions = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id, resource]) => toFunction(id, resource, template, outDir));
  for (const fn of functions) await stat(fn.asset);
  return {
    outDir,
    stackName: file.replace(/\.template\.json$/, ''),
    template,
    functions,
    function(pathPart) {
      const found = functions.filter((fn) => fn.constructPath.includes(pathPart));
      if (found.length !== 1)
        throw new Error(
          `expected one function whose construct path contains "${pathPart}", found ${found.length}: ` +
            functions.map((fn) => fn.constructPath).join(', '),
        );
      return found[0]!;
    },
  };
};
