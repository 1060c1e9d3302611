import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  assertValidSchema,
  buildClientSchema,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';

/**
 * GitHub's published GraphQL schema (@octokit/graphql-schema, GitHub's own introspection result,
 * refreshed automatically), built once per process. Every GraphQL document the adapter sends is
 * checked against it: a field, argument or type GitHub does not have is an error, not a guess.
 */

let built: GraphQLSchema | undefined;

const WARM_UP = `query ($owner: String!, $name: String!, $ref: String!, $path: String!) {
  repository(owner: $owner, name: $name) {
    isEmpty
    defaultBranchRef { name }
    ref(qualifiedName: $ref) {
      target { ... on Commit { oid tree { oid } file(path: $path) { oid type object { ... on Blob { text isBinary isTruncated } } } } }
    }
  }
}`;

/** The package exports only its ESM entry point, so its schema.json is found beside it on disk. */
const schemaFile = (): string => {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('@octokit/graphql-schema') ?? []) {
    const file = path.join(dir, '@octokit', 'graphql-schema', 'schema.json');
    if (existsSync(file)) return file;
  }
  throw new Error('@octokit/graphql-schema is not installed (a devDependency: run npm ci)');
};

export const gitHubGraphqlSchema = (): GraphQLSchema => {
  if (!built) {
    built = buildClientSchema(JSON.parse(readFileSync(schemaFile(), 'utf8')));
    // graphql-js checks a schema once, on its first validate/execute (~1 s for GitHub's), and
    // resolves each type's fields on first use: pay both now, not inside a test's first request.
    assertValidSchema(built);
    validate(built, parse(WARM_UP));
  }
  return built;
};

export interface CheckedDocument {
  readonly document: DocumentNode | undefined;
  /** Syntax errors, schema violations and variables that do not fit their declared types. */
  readonly errors: readonly GraphQLError[];
}

/** Parses `query`, validates it against GitHub's schema and coerces `variables` to its declarations. */
export const checkAgainstGitHubSchema = (
  query: string,
  variables: Record<string, unknown> = {},
): CheckedDocument => {
  const schema = gitHubGraphqlSchema();
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return {
      document: undefined,
      errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))],
    };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { document, errors: invalid };
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) {
    return { document, errors: [new GraphQLError('expected exactly one operation in the document')] };
  }
  const coerced = getVariableValues(schema, operations[0]!.variableDefinitions ?? [], variables);
  return { document, errors: coerced.errors ?? [] };
};
