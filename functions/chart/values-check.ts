import type { ErrorObject, ValidateFunction } from 'ajv';
import { type Refusal, refusal } from './refusal';
import { parseYamlMap } from './yaml-map';

const VALUES = 'values.yaml';
const SCHEMA = 'values.schema.json';
const MAX_SCHEMA_MESSAGES = 10;

const describe = (error: ErrorObject): string =>
  `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;

const schemaRefusal = (message: string): Refusal => refusal('VALUES_SCHEMA_VIOLATION', message, SCHEMA);

const parseSchema = (
  data: Uint8Array,
): { ok: true; schema: object | boolean } | { ok: false; refusal: Refusal } => {
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
 * Async because Ajv is loaded only here, when a chart carries a schema (values-schema-compiler.ts).
 */
export const checkSchema = async (
  schemaData: Uint8Array,
  values: Readonly<Record<string, unknown>>,
  what = 'default values',
): Promise<Refusal[]> => {
  const parsed = parseSchema(schemaData);
  if (!parsed.ok) return [parsed.refusal];
  const { compileValuesSchema } = await import('./values-schema-compiler');
  let validate: ValidateFunction;
  try {
    validate = compileValuesSchema(parsed.schema);
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
export const checkValues = async (
  valuesData: Uint8Array | undefined,
  schemaData: Uint8Array | undefined,
): Promise<Refusal[]> => {
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
