import { isMap, isNode, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import * as z from '../../zod';
import { isValidEnvironmentName } from '../layout';
import { parseDuration } from './duration';
import type { EnvironmentPolicy, PromotionPolicy } from './policy';

/** One problem with the policy file, located by line and column (1-based) when the node exists. */
export interface PolicyIssue {
  readonly line?: number;
  readonly column?: number;
  /** Where in the document: `environments[1].after`. */
  readonly path: string;
  readonly message: string;
}

export type PolicyParse =
  | { readonly ok: true; readonly policy: PromotionPolicy }
  | { readonly ok: false; readonly issues: readonly PolicyIssue[] };

const DNS_MESSAGE = 'must be a DNS-1123 label (a-z, 0-9, "-", at most 63 characters)';
const globs = z.array(
  z.string().check(z.minLength(1, 'a glob cannot be empty')),
  'must be a list of chart-name globs',
);
// `soak: 0` arrives as a number; every other duration needs a unit, as in Go.
const duration = z.union([z.string(), z.literal(0)], 'must be a duration such as 30s, 10m or 1h30m');

const environmentShape = z.strictObject({
  name: z.string('required: the environment name').check(z.refine(isValidEnvironmentName, DNS_MESSAGE)),
  mode: z._default(z.enum(['direct', 'pull-request'], 'must be "direct" or "pull-request"'), 'direct'),
  after: z.optional(z.string('must be the name of an earlier environment')),
  soak: z.optional(duration),
  autoRollback: z._default(z.boolean('must be true or false'), false),
  convergeWithin: z.optional(z.string('must be a duration such as 5m or 1h')),
  charts: z.optional(globs),
  requireProvenance: z.optional(z.boolean('must be true or false')),
});

const policyShape = z.strictObject({
  environments: z
    .array(environmentShape, 'required: the list of environments')
    .check(z.minLength(1, 'needs at least one environment')),
  charts: z.optional(globs),
  requireProvenance: z._default(z.boolean('must be true or false'), false),
  retain: z._default(
    z.number('must be a whole number').check(z.int('must be a whole number'), z.minimum(0, 'must be >= 0')),
    0,
  ),
});

type RawPolicy = z.output<typeof policyShape>;
type Path = readonly (string | number)[];

const pathText = (path: Path): string =>
  path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  ) || '(document)';

/** Finds the deepest node on `path` (a key's own node when `key` names one) and its line/column. */
const locator = (text: string) => {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  const at = (path: Path, key?: string): Pick<PolicyIssue, 'line' | 'column'> => {
    let node: unknown = doc.contents;
    let found: Node | undefined = isNode(node) ? node : undefined;
    for (const part of [...path, ...(key === undefined ? [] : [key])]) {
      const container = node as { get?: (k: unknown, keep: boolean) => unknown; items?: unknown[] };
      if (typeof part === 'string' && key === part && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
        node = pair?.key;
      } else {
        node = typeof container?.get === 'function' ? container.get(part, true) : undefined;
      }
      if (isNode(node)) found = node;
      else break;
    }
    const offset = found?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  return { doc, at };
};

const semanticIssues = (raw: RawPolicy, at: ReturnType<typeof locator>['at']): PolicyIssue[] => {
  const issues: PolicyIssue[] = [];
  const issue = (path: Path, message: string): void => {
    issues.push({ ...at(path), path: pathText(path), message });
  };
  const seen = new Set<string>();
  raw.environments.forEach((environment, index) => {
    const here = ['environments', index];
    if (seen.has(environment.name))
      issue([...here, 'name'], `duplicate environment name "${environment.name}"`);
    if (index === 0 && environment.mode !== 'direct') {
      issue(
        [...here, 'mode'],
        'the first environment receives new uploads as direct commits: mode must be direct',
      );
    }
    if (index === 0 && environment.after !== undefined) {
      issue([...here, 'after'], 'the first environment receives new uploads: it cannot come after another');
    } else if (index > 0 && environment.after === undefined) {
      issue(here, 'needs `after: <an earlier environment>` (only the first environment has none)');
    } else if (environment.after !== undefined && !seen.has(environment.after)) {
      const message =
        environment.after === environment.name || raw.environments.some((e) => e.name === environment.after)
          ? `after: "${environment.after}" must name an EARLIER environment (order is the file's; no cycles)`
          : `after: "${environment.after}" names no environment`;
      issue([...here, 'after'], message);
    }
    if (environment.soak !== undefined) {
      const ms = parseDuration(String(environment.soak));
      if (ms === undefined)
        issue([...here, 'soak'], `"${environment.soak}" is not a duration (30s, 10m, 1h30m)`);
      else if (environment.after === undefined && ms > 0) issue([...here, 'soak'], 'soak needs `after`');
    }
    if (environment.convergeWithin !== undefined) {
      const ms = parseDuration(environment.convergeWithin);
      if (ms === undefined || ms <= 0)
        issue(
          [...here, 'convergeWithin'],
          `"${environment.convergeWithin}" is not a positive duration (90s, 15m, 1h)`,
        );
    }
    seen.add(environment.name);
  });
  return issues;
};

const toPolicy = (raw: RawPolicy): PromotionPolicy => ({
  environments: raw.environments.map(
    (e): EnvironmentPolicy => ({
      name: e.name,
      mode: e.mode,
      ...(e.after === undefined ? {} : { after: e.after }),
      soakMs: e.soak === undefined ? 0 : (parseDuration(String(e.soak)) ?? 0),
      autoRollback: e.autoRollback,
      ...(e.convergeWithin === undefined ? {} : { convergeWithinMs: parseDuration(e.convergeWithin) ?? 0 }),
      ...(e.charts === undefined ? {} : { charts: e.charts }),
      requireProvenance: e.requireProvenance ?? raw.requireProvenance,
    }),
  ),
  ...(raw.charts === undefined ? {} : { charts: raw.charts }),
  requireProvenance: raw.requireProvenance,
  retain: raw.retain,
  source: 'file',
});

/**
 * Parses `.chart-promoter.yaml`. Pure; lists EVERY problem with its line and column (YAML syntax
 * first: nothing else can be checked in a document that does not parse).
 */
export const parsePolicy = (text: string): PolicyParse => {
  const { doc, at } = locator(text);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => ({
        ...(error.linePos ? { line: error.linePos[0].line, column: error.linePos[0].col } : {}),
        path: '(document)',
        message: `not valid YAML: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  const parsed = policyShape.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue): PolicyIssue[] => {
      const path = issue.path as Path;
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          ...at(path, key),
          path: pathText([...path, key]),
          message: `unknown key "${key}"`,
        }));
      }
      return [{ ...at(path), path: pathText(path), message: issue.message }];
    });
    return { ok: false, issues };
  }
  const issues = semanticIssues(parsed.data, at);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, policy: toPolicy(parsed.data) };
};

/** `line 7, column 5: environments[1].after: ...` lines, for errors and CLI output. */
export const describePolicyIssues = (issues: readonly PolicyIssue[]): string =>
  issues
    .map((issue) => {
      const where = issue.line === undefined ? '' : `line ${issue.line}, column ${issue.column}: `;
      return `${where}${issue.path}: ${issue.message}`;
    })
    .join('\n');
