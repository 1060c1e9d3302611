import { readFile } from 'node:fs/promises';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Checks traffic against Atlassian's own OpenAPI (Swagger 2.0) description of Bitbucket Cloud, the
 * subset copied into test/fixtures/host-specs/bitbucket-cloud/. Swagger 2.0 schemas are JSON Schema
 * (draft 4 keywords), so ajv compiles them directly once `#/definitions/…` refs point at the loaded
 * document; `discriminator` and `x-*` keys are annotations and ignored.
 *
 * What an operation allows is what the description says, in its declared parameters and responses
 * AND in its prose (the brief's rule: "read each operation's description: it is the contract"). The
 * prose-only allowances are listed in PROSE below, each with the sentence that grants it.
 */

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is untyped JSON
type Json = any;

const SPEC = new URL(
  '../../fixtures/host-specs/bitbucket-cloud/bitbucket-cloud-2.0.subset.json',
  import.meta.url,
);

const PAGINATION = ['pagelen', 'page'];

/**
 * What operations allow in their descriptions rather than in their parameter and response lists.
 * Pagination (`page`, `pagelen`) is documented for every paginated_* answer ("The default value is 10
 * with 100 being the maximum allowed value"), and https://developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination.
 */
const PROSE: Record<string, { readonly query?: readonly string[]; readonly statuses?: readonly number[] }> = {
  // "Like most API endpoints, this API supports the Bitbucket querying/filtering syntax"; listings are paginated.
  'GET /repositories/{workspace}/{repo_slug}/src/{commit}/{path}': { query: PAGINATION },
  // `branch`: "if a parent SHA1 was also provided, then it is asserted that the parent is the branch's
  // tip/HEAD … When this is not the case, a 409 is returned"; "The branch field cannot be repeated" (400).
  'POST /repositories/{workspace}/{repo_slug}/src': { statuses: [400, 409] },
  // "it may return a 400 response if the provided prefix is ambiguous".
  'POST /repositories/{workspace}/{repo_slug}/refs/branches': { statuses: [400] },
  // "The main branch is not allowed to be deleted and will return a 400 response."
  'DELETE /repositories/{workspace}/{repo_slug}/refs/branches/{name}': { statuses: [400] },
  // "…/commits/dev?include=foo&exclude=master", "An optional `path` parameter"; paginated.
  'GET /repositories/{workspace}/{repo_slug}/commits/{revision}': {
    query: ['include', 'exclude', 'path', ...PAGINATION],
  },
  'GET /repositories/{workspace}/{repo_slug}/diffstat/{spec}': { query: PAGINATION, statuses: [404] },
  // "This endpoint also supports filtering and sorting of the results."
  'GET /repositories/{workspace}/{repo_slug}/pullrequests': { query: ['q', 'sort', ...PAGINATION] },
};

/**
 * Answers any operation may give: a request it cannot take (400, "If the input document was invalid"
 * on the operations with bodies), missing or bad credentials (401), no permission (403), nothing
 * there (404), the hourly request limit (429, https://support.atlassian.com/bitbucket-cloud/docs/api-request-limits/),
 * and server failures. Their bodies, when JSON, must still be Bitbucket's `error` object.
 */
const GENERIC_STATUSES = [400, 401, 403, 404, 429, 500, 502, 503, 504];

export interface OperationValidator {
  readonly key: string;
  /** Problems with the query string (undeclared names, wrong types or enum values). */
  query(params: URLSearchParams): string[];
  /** Problems with a JSON body against the operation's `in: body` schema (none declared: []). */
  body(body: unknown): string[];
  /** The names of the parameters declared `in: query` (the commit endpoint's form fields). */
  readonly declaredQuery: readonly string[];
  /** Problems with an answer: an undocumented status, or a JSON body off its schema. */
  response(status: number, body: unknown, isJson: boolean): string[];
}

export interface SpecValidator {
  operation(method: string, path: string): OperationValidator;
}

const describe = (validate: ValidateFunction): string =>
  (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');

let loaded: Promise<Json> | undefined;
let shared: Promise<SpecValidator> | undefined;

/**
 * One validator per process, shared by every server it starts (validators keep no state between
 * calls): each operation's schemas are compiled on first use and kept, not again for every server.
 */
export const sharedSpecValidator = (): Promise<SpecValidator> => {
  shared ??= createSpecValidator();
  return shared;
};

export const createSpecValidator = async (): Promise<SpecValidator> => {
  loaded ??= readFile(SPEC, 'utf8').then((text) => JSON.parse(text));
  const spec = await loaded;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addSchema({ definitions: spec.definitions }, 'bitbucket');
  const compile = (schema: Json): ValidateFunction =>
    ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', '"$ref":"bitbucket#/')));
  const errorSchema = compile({ $ref: '#/definitions/error' });
  const cache = new Map<string, OperationValidator>();

  const build = (method: string, path: string): OperationValidator => {
    const item = spec.paths[path];
    const op = item?.[method.toLowerCase()];
    if (!op) throw new Error(`the OpenAPI description has no ${method} ${path}`);
    const key = `${method} ${path}`;
    const params: Json[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
    const declared = new Map<string, Json>(params.filter((p) => p.in === 'query').map((p) => [p.name, p]));
    const prose = PROSE[key] ?? {};
    const bodyParam = params.find((p) => p.in === 'body');
    const bodySchema = bodyParam ? compile(bodyParam.schema) : undefined;
    const responses = new Map<number, ValidateFunction | undefined>();
    for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
      responses.set(Number(status), response.schema ? compile(response.schema) : undefined);
    }
    return {
      key,
      declaredQuery: [...declared.keys()],
      query(query) {
        const problems: string[] = [];
        for (const [name, value] of query) {
          const param = declared.get(name);
          if (!param) {
            if (!prose.query?.includes(name))
              problems.push(`${key}: query parameter "${name}" is not documented`);
            else if (PAGINATION.includes(name) && !/^[1-9]\d*$/.test(value))
              problems.push(`${key}: ${name}=${value} is not a positive integer`);
            continue;
          }
          if (param.enum && !param.enum.includes(value))
            problems.push(`${key}: ${name}=${value} is not one of ${param.enum.join(', ')}`);
          if (param.type === 'integer' && !/^-?\d+$/.test(value))
            problems.push(`${key}: ${name}=${value} is not an integer`);
          if (param.type === 'boolean' && value !== 'true' && value !== 'false')
            problems.push(`${key}: ${name}=${value} is not a boolean`);
        }
        return problems;
      },
      body(body) {
        if (!bodySchema) return [];
        return bodySchema(body) ? [] : [`${key} request body: ${describe(bodySchema)}`];
      },
      response(status, body, isJson) {
        const documented = responses.has(status);
        if (!documented && !prose.statuses?.includes(status) && !GENERIC_STATUSES.includes(status))
          return [`${key} answered ${status}, which its description does not document`];
        if (!isJson) return [];
        const schema = responses.get(status) ?? (status >= 400 ? errorSchema : undefined);
        if (!schema || schema(body)) return [];
        return [`${key} response ${status}: ${describe(schema)}`];
      },
    };
  };

  return {
    operation(method, path) {
      const key = `${method} ${path}`;
      let found = cache.get(key);
      if (!found) {
        found = build(method, path);
        cache.set(key, found);
      }
      return found;
    },
  };
};
