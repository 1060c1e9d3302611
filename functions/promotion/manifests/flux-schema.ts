import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import helmReleaseSchema from './schemas/helmrelease-v2.schema.json';

/**
 * Validates HelmRelease objects against the `openAPIV3Schema` of Flux's helm.toolkit.fluxcd.io/v2 CRD
 * (copied by scripts/sync-flux-schemas.ts), the check the Kubernetes API server makes before Flux sees
 * the object: https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#validation
 *
 * Not covered: the CRD's CEL rules (`x-kubernetes-validations`, e.g. "either chart or chartRef must be
 * set") need a CEL evaluator; `strict: false` makes ajv skip those and the other `x-kubernetes-*`
 * extensions instead of rejecting the schema. Unknown fields pass, as on the API server, which prunes them.
 */

export type SchemaCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

let compiled: ValidateFunction | undefined;

const validator = (): ValidateFunction => {
  if (!compiled) {
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      // Kubernetes formats that only appear under `status`; accepted as-is rather than logged as unknown.
      formats: { int64: true, 'date-time': true },
    });
    compiled = ajv.compile(helmReleaseSchema);
  }
  return compiled;
};

const describeError = (error: ErrorObject): string =>
  `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;

export const validateHelmRelease = (object: unknown): SchemaCheck => {
  const validate = validator();
  if (validate(object)) return { ok: true };
  return { ok: false, message: (validate.errors ?? []).map(describeError).join('; ') };
};
