import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import { type Refusal, refusal } from './refusal';
import { parseYamlMap } from './yaml-map';

const VALUES = 'values.yaml';
const SCHEMA = 'values.schema.json';
const MAX_SCHEMA_MESSAGES = 10;

/**
 * - `strict: false`: chart schemas routinely carry keywords Ajv does not know (`form`, `x-*`); Helm
 *   ignores them too.
 * - No format validation: the `ajv-formats` package is not a dependency, and Ajv alone knows no
 *   formats; unknown formats are ignored (`logger: false` silences the warning). Helm still checks
 *   formats when it renders the chart, so nothing that Helm refuses is let through to the cluster.
 * - Remote `$ref`s are never fetched (no network from intake): such a schema fails to compile.
 */
const AJV_OPTIONS = { strict: false, allErrors: true, logger: false, validateFormats: false } as const;

/** Picks the Ajv dialect by `$schema`; draft-04/06 are compiled as draft-07 (close enough for defaults). */
const compileSchema = (schema: unknown): ValidateFunction => {
  const dialect =
    typeof schema === 'object' && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  const uri = typeof dialect === 'string' ? dialect : '';
  if (uri.includes('2020-12')) return new Ajv2020(AJV_OPTIONS).compile(schema as object);
  if (uri.includes('2019-09')) return new Ajv2019(AJV_OPTIONS).compile(schema as object);
  const draft7 =
    typeof schema === 'object' && schema !== null && uri !== '' && !uri.includes('draft-07')
      ? { ...(schema as object), $schema: undefined }
      : schema;
  return new Ajv(AJV_OPTIONS).compile(draft7 as object);
};

const describe = (error: ErrorObject): string =>
  `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;

const schemaRefusal = (message: string): Refusal => refusal('VALUES_SCHEMA_VIOLATION', message, SCHEMA);

const parseSchema = (data: Uint8Array): { ok: true; schema: unknown } | { ok: false; refusal: Refusal } => {
  try {
    const schema: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
    if (
      typeof schema !== 'boolean' &&
      (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    ) {
      return { ok: false, refusal: schemaRefusal(`${SCHEMA} is not a JSON Schema (an object or a boolean)`) };
    }
    return { ok: true, schema };
  } catch (error) {
    return { ok: false, refusal: schemaRefusal(`${SCHEMA} is not valid JSON: ${(error as Error).message}`) };
  }
};

/**
 * Values against the chart's schema, as `helm template` would check them. `what` names the values in
 * the message (the chart's defaults at intake; a release's coalesced values for a values change).
 */
export const checkSchema = (
  schemaData: Uint8Array,
  values: Readonly<Record<string, unknown>>,
  what = 'default values',
): Refusal[] => {
  const parsed = parseSchema(schemaData);
  if (!parsed.ok) return [parsed.refusal];
  let validate: ValidateFunction;
  try {
    validate =
      typeof parsed.schema === 'boolean'
        ? new Ajv(AJV_OPTIONS).compile(parsed.schema)
        : compileSchema(parsed.schema);
  } catch (error) {
    return [schemaRefusal(`${SCHEMA} cannot be compiled: ${(error as Error).message}`)];
  }
  try {
    if (validate(values)) return [];
  } catch (error) {
    return [schemaRefusal(`${SCHEMA} could not be evaluated: ${(error as Error).message}`)];
  }
  const errors = (validate.errors ?? []).slice(0, MAX_SCHEMA_MESSAGES).map(describe);
  return [schemaRefusal(`${what} violate ${SCHEMA}: ${errors.join('; ')}`)];
};

/**
 * values.yaml must be a YAML mapping (an empty file is fine: no defaults), and when the chart ships a
 * values.schema.json its defaults must satisfy it. Only the top chart is checked; subcharts' values
 * are left to Helm at render time (they depend on what the parent passes down).
 */
export const checkValues = (
  valuesData: Uint8Array | undefined,
  schemaData: Uint8Array | undefined,
): Refusal[] => {
  let values: Readonly<Record<string, unknown>> = {};
  if (valuesData !== undefined) {
    const parsed = parseYamlMap(valuesData);
    if (!parsed.ok) return [refusal('VALUES_INVALID', `${VALUES} ${parsed.reason}`, VALUES)];
    values = parsed.value ?? {};
  }
  return schemaData === undefined ? [] : checkSchema(schemaData, values);
};

/** Only the YAML shape of values.yaml (for subcharts). */
export const checkValuesYaml = (valuesData: Uint8Array | undefined, path = VALUES): Refusal[] => {
  if (valuesData === undefined) return [];
  const parsed = parseYamlMap(valuesData);
  return parsed.ok ? [] : [refusal('VALUES_INVALID', `${path} ${parsed.reason}`, path)];
};
