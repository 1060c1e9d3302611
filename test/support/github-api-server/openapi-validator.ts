import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Every request body the adapter sends and every response the fake GitHub returns is checked against
 * GitHub's own OpenAPI description (@octokit/openapi, api.github.com, OpenAPI 3.0: `nullable` is
 * understood by ajv). Only the operations the server implements are compiled, with the component
 * schemas they reach.
 */

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is untyped JSON
type Json = any;

export interface OperationValidators {
  readonly operationId: string;
  /** The operation's page on docs.github.com, which GitHub sends as `documentation_url` in errors. */
  readonly documentationUrl: string | undefined;
  /** undefined: the operation takes no JSON body. */
  readonly request: ValidateFunction | undefined;
  readonly responses: ReadonlyMap<number, ValidateFunction>;
}

export interface OpenApiValidator {
  operation(method: string, openApiPath: string): OperationValidators;
}

const SPEC = 'api.github.com.json';

const collectRefs = (node: Json, into: Set<string>): void => {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.add(value);
      else collectRefs(value, into);
    }
  }
};

/** Rewrites local refs so a fragment compiles against the shared `github` document registered in ajv. */
const rebase = (node: Json): Json =>
  JSON.parse(JSON.stringify(node).replaceAll('"$ref":"#/', '"$ref":"github#/'));

const jsonSchemaOf = (spec: Json, responseOrBody: Json): Json => {
  let node = responseOrBody;
  while (node?.$ref) {
    const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(node.$ref) ?? [];
    node = spec.components[kind!][name!];
  }
  return node?.content?.['application/json']?.schema;
};

/**
 * Where GitHub's answers and its OpenAPI description disagree, the answers win. Each correction cites
 * the report that shows the real answer; a stand-in that answered by the description alone would
 * hide a case the adapter meets on GitHub.
 */
const SCHEMA_CORRECTIONS: readonly { readonly source: string; readonly apply: (spec: Json) => void }[] = [
  {
    // A label without a description has `description: null` in pull request lists too (the
    // `pull-request` schema already says so; github/docs#18857 shows the same label answer).
    source: 'https://github.com/github/rest-api-description/issues/1812',
    apply: (spec) => {
      spec.components.schemas['pull-request-simple'].properties.labels.items.properties.description.nullable =
        true;
    },
  },
];

let loaded: Promise<Json> | undefined;
const loadSpec = (): Promise<Json> => {
  const file = createRequire(import.meta.url).resolve(`@octokit/openapi/generated/${SPEC}`);
  loaded ??= readFile(file, 'utf8').then((text) => {
    const spec = JSON.parse(text);
    for (const correction of SCHEMA_CORRECTIONS) correction.apply(spec);
    return spec;
  });
  return loaded;
};

export const createOpenApiValidator = async (
  operations: readonly { method: string; path: string }[],
): Promise<OpenApiValidator> => {
  const spec = await loadSpec();
  const schemas = new Set<string>();
  const pending: string[] = [];
  const selected = operations.map(({ method, path }) => {
    const op = spec.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`OpenAPI description has no ${method} ${path}`);
    const refs = new Set<string>();
    collectRefs([op.requestBody, op.responses], refs);
    pending.push(...refs);
    return { key: `${method} ${path}`, op };
  });
  // Transitive closure of the component schemas reachable from the selected operations.
  const visited = new Set<string>();
  while (pending.length > 0) {
    const ref = pending.pop()!;
    const match = /^#\/components\/(\w+)\/(.+)$/.exec(ref);
    if (!match || visited.has(ref)) continue;
    visited.add(ref);
    const [, kind, name] = match as unknown as [string, string, string];
    if (kind === 'schemas') schemas.add(name);
    const found = new Set<string>();
    collectRefs(spec.components[kind][name], found);
    pending.push(...found);
  }
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
  ajv.addFormat('uri-template', /^\S*$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+$/);
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('binary', true);
  ajv.addFormat('uuid', /^[0-9a-f-]{36}$/i);
  ajv.addFormat('hostname', /^\S+$/);
  ajv.addFormat('ipv4', /^\d+\.\d+\.\d+\.\d+$/);
  ajv.addFormat('repo.nwo', /^[^/]+\/[^/]+$/);
  const componentSchemas = Object.fromEntries(
    [...schemas].map((name) => [name, spec.components.schemas[name]]),
  );
  ajv.addSchema(rebase({ components: { schemas: componentSchemas } }), 'github');

  const byKey = new Map<string, OperationValidators>();
  for (const { key, op } of selected) {
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    const responses = new Map<number, ValidateFunction>();
    for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
      const schema = jsonSchemaOf(spec, response);
      if (schema) responses.set(Number(status), ajv.compile(rebase(schema)));
    }
    byKey.set(key, {
      operationId: op.operationId,
      documentationUrl: op.externalDocs?.url,
      request: bodySchema ? ajv.compile(rebase(bodySchema)) : undefined,
      responses,
    });
  }
  return {
    operation(method, openApiPath) {
      const found = byKey.get(`${method} ${openApiPath}`);
      if (!found) throw new Error(`no validators compiled for ${method} ${openApiPath}`);
      return found;
    },
  };
};

export const describeErrors = (validate: ValidateFunction): string =>
  (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
