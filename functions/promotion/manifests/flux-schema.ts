import type { ErrorObject } from 'ajv';
import { validate } from './schemas/helmrelease-v2.validate.js';

/**
 * Validates HelmRelease objects against the `openAPIV3Schema` of Flux's helm.toolkit.fluxcd.io/v2 CRD
 * (copied by scripts/sync-flux-schemas.ts), the check the Kubernetes API server makes before Flux sees
 * the object: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation
 * The validator is Ajv's standalone code for that schema, generated at build time by
 * scripts/generate-flux-validator.ts: no schema is compiled at cold start, and Ajv's compiler is not
 * in the bundle.
 *
 * Not covered: the CRD's CEL rules (`x-kubernetes-validations`, e.g. "either chart or chartRef must be
 * set") need a CEL evaluator; `strict: false` makes ajv skip those and the other `x-kubernetes-*`
 * extensions instead of rejecting the schema. Unknown fields pass, as on the API server, which prunes them.
 */

export type SchemaCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

const describeError = (error: ErrorObject): string =>
  `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;

export const validateHelmRelease = (object: unknown): SchemaCheck => {
  if (validate(object)) return { ok: true };
  return { ok: false, message: (validate.errors ?? []).map(describeError).join('; ') };
};
