import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/**
 * The Flux CustomResourceDefinitions in test/fixtures/flux-crds , and validators
 * built from their `openAPIV3Schema`s the way the API server validates custom resources.
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
export const FLUX_CRD_DIR = path.resolve(repoRoot, 'test/fixtures/flux-crds');

export type CrdSchema = {
  type?: string;
  properties?: Record<string, CrdSchema>;
  items?: CrdSchema;
  additionalProperties?: unknown;
  required?: string[];
};

export interface FluxCrd {
  readonly spec: {
    readonly group: string;
    readonly names: { readonly kind: string };
    readonly versions: readonly {
      readonly name: string;
      readonly schema: { readonly openAPIV3Schema: CrdSchema };
    }[];
  };
}

/**
 * The schema with unknown fields forbidden wherever it lists properties: the API server prunes them
 * silently, so a misspelt field would be lost in the cluster instead of failing here.
 * https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning
 */
export const closedSchema = (schema: CrdSchema): CrdSchema => ({
  ...schema,
  ...(schema.items ? { items: closedSchema(schema.items) } : {}),
  ...(schema.properties
    ? {
        additionalProperties: false,
        properties: Object.fromEntries(
          Object.entries(schema.properties).map(([k, v]) => [k, closedSchema(v)]),
        ),
      }
    : {}),
});

/** Compiles a (CRD) schema; Kubernetes' `int64` and `date-time` formats are accepted as is. */
export const compileCrdSchema = (schema: CrdSchema): ValidateFunction =>
  new Ajv({ strict: false, allErrors: true, formats: { int64: true, 'date-time': true } }).compile(schema);

/** ajv's errors as one readable line. */
export const errorsText = (errors: ErrorObject[] | null | undefined): string => new Ajv().errorsText(errors);

/** Reads one CRD file of test/fixtures/flux-crds, e.g. `notification.toolkit.fluxcd.io_alerts.yaml`. */
export const readFluxCrd = (file: string): FluxCrd =>
  parse(readFileSync(path.join(FLUX_CRD_DIR, file), 'utf8')) as FluxCrd;

/**
 * One validator per `apiVersion kind` (e.g. `notification.toolkit.fluxcd.io/v1beta3 Alert`) for every
 * version the CRD files list, each compiled from the closed schema passed through `adapt`.
 */
export const fluxCrdValidators = (
  files: readonly string[],
  adapt: (closed: CrdSchema) => CrdSchema = (closed) => closed,
): Map<string, ValidateFunction> => {
  const byKey = new Map<string, ValidateFunction>();
  for (const file of files) {
    const crd = readFluxCrd(file);
    for (const version of crd.spec.versions) {
      const validate = compileCrdSchema(adapt(closedSchema(version.schema.openAPIV3Schema)));
      byKey.set(`${crd.spec.group}/${version.name} ${crd.spec.names.kind}`, validate);
    }
  }
  return byKey;
};
