import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';

/**
 * Ajv, for the charts' own values.schema.json: user input, so compiled at run time. values-check.ts
 * loads this module with `import()` only when a chart (or a values change's chart) carries a schema,
 * so functions that meet no such chart never load Ajv.
 *
 * - `strict: false`: chart schemas routinely carry keywords Ajv does not know (`form`, `x-*`); Helm
 *   ignores them too.
 * - No format validation: the `ajv-formats` package is not a dependency, and Ajv alone knows no
 *   formats; unknown formats are ignored (`logger: false` silences the warning). Helm still checks
 *   formats when it renders the chart, so nothing that Helm refuses is let through to the cluster.
 * - Remote `$ref`s are never fetched (no network from intake): such a schema fails to compile.
 */
const AJV_OPTIONS = { strict: false, allErrors: true, logger: false, validateFormats: false } as const;

/**
 * Compiles a parsed values.schema.json (an object or a boolean); throws when Ajv cannot. Picks the Ajv
 * dialect by `$schema`; draft-04/06 are compiled as draft-07 (close enough for defaults).
 */
export const compileValuesSchema = (schema: object | boolean): ValidateFunction => {
  if (typeof schema === 'boolean') return new Ajv(AJV_OPTIONS).compile(schema);
  const dialect = (schema as { $schema?: unknown }).$schema;
  const uri = typeof dialect === 'string' ? dialect : '';
  if (uri.includes('2020-12')) return new Ajv2020(AJV_OPTIONS).compile(schema);
  if (uri.includes('2019-09')) return new Ajv2019(AJV_OPTIONS).compile(schema);
  const draft7 = uri !== '' && !uri.includes('draft-07') ? { ...schema, $schema: undefined } : schema;
  return new Ajv(AJV_OPTIONS).compile(draft7);
};
