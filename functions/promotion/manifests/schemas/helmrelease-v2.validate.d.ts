import type { ErrorObject } from 'ajv';

/**
 * The types of helmrelease-v2.validate.js (generated Ajv standalone code, see its header): a validate
 * function that keeps the errors of its last call, as Ajv's compiled functions do.
 */
export interface HelmReleaseValidate {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export declare const validate: HelmReleaseValidate;
export default validate;
