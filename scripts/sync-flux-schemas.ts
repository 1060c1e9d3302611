/**
 * Copies the `openAPIV3Schema` of the Flux HelmRelease v2 CRD into functions/promotion/manifests/schemas/, so the
 * Lambda bundle and the users' clones (which have no ../shared) carry the exact schema the Kubernetes API
 * server would enforce. Run after updating test/fixtures/flux-crds (copied from the Flux controllers, see its README):
 *
 *   npx tsx scripts/sync-flux-schemas.ts && npx biome format --write functions/promotion/manifests/schemas
 *   npm run generate:flux-validator   (the validator the bundles carry is generated from the schema)
 *
 * test/unit/promotion/flux-schema.test.ts fails when the committed JSON drifts from the CRD (it compares
 * parsed JSON, so Biome's formatting of the file does not matter).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const HELMRELEASE_CRD_PATH = resolve(
  repoRoot,
  'test/fixtures/flux-crds/helm.toolkit.fluxcd.io_helmreleases.yaml',
);
export const HELMRELEASE_SCHEMA_PATH = resolve(
  repoRoot,
  'functions/promotion/manifests/schemas/helmrelease-v2.schema.json',
);

interface CrdVersion {
  readonly name?: string;
  readonly schema?: { readonly openAPIV3Schema?: unknown };
}

/** The `openAPIV3Schema` of `version` in a CustomResourceDefinition's YAML text. */
export const extractCrdSchema = (crdText: string, version: string): unknown => {
  const crd = parse(crdText) as { spec?: { versions?: CrdVersion[] } } | null;
  const schema = crd?.spec?.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (schema === undefined) throw new Error(`CRD has no openAPIV3Schema for version ${version}`);
  return schema;
};

export const renderSchemaJson = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;

const main = async (): Promise<void> => {
  const schema = extractCrdSchema(await readFile(HELMRELEASE_CRD_PATH, 'utf8'), 'v2');
  await writeFile(HELMRELEASE_SCHEMA_PATH, renderSchemaJson(schema));
  process.stderr.write(`wrote ${HELMRELEASE_SCHEMA_PATH}\n`);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
}
