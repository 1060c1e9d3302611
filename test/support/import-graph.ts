import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The import graph of our own TypeScript, read with the TypeScript compiler's parser (no type check,
 * no program): every `import`/`export … from` and `import()` between our files, with whether it is
 * type-only (erased at build time) or lazy. The architecture test (test/architecture) checks the
 * folder rules of ARCHITECTURE.md against it; `npx tsx scripts/import-graph.ts` prints the figures.
 */

export interface ImportEdge {
  /** Repository-relative, `/`-separated. */
  readonly from: string;
  readonly to: string;
  /** `import type`, or every name imported is a type: gone after compilation. */
  readonly typeOnly: boolean;
  /** `await import('…')`: evaluated on first use, not at module load. */
  readonly dynamic: boolean;
}

export interface ImportGraph {
  readonly root: string;
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** Bare specifiers (packages, `node:` modules) each file imports. */
  readonly packages: ReadonlyMap<string, readonly string[]>;
  /** Files that read `process.env`. */
  readonly readsEnv: readonly string[];
}

const listTs = (root: string, dir: string): string[] => {
  const absolute = path.join(root, dir);
  if (!existsSync(absolute)) return [];
  const out: string[] = [];
  for (const name of readdirSync(absolute)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const relative = `${dir}/${name}`;
    if (statSync(path.join(root, relative)).isDirectory()) out.push(...listTs(root, relative));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative);
  }
  return out.sort();
};

const resolveRelative = (root: string, from: string, specifier: string): string | undefined => {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) {
    const absolute = path.join(root, candidate);
    if (existsSync(absolute) && statSync(absolute).isFile()) return candidate;
  }
  return undefined;
};

const namedAllTypes = (elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean =>
  elements.length > 0 && elements.every((element) => element.isTypeOnly);

const importIsTypeOnly = (node: ts.ImportDeclaration): boolean => {
  const clause = node.importClause;
  if (!clause) return false; // `import './x'`: evaluated for its effects
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && namedAllTypes(bindings.elements);
};

const exportIsTypeOnly = (node: ts.ExportDeclaration): boolean =>
  node.isTypeOnly ||
  (node.exportClause !== undefined &&
    ts.isNamedExports(node.exportClause) &&
    namedAllTypes(node.exportClause.elements));

interface Found {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
}

const scan = (file: string, text: string): { found: Found[]; readsEnv: boolean } => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Found[] = [];
  let readsEnv = false;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: importIsTypeOnly(node), dynamic: false });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: exportIsTypeOnly(node), dynamic: false });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false, dynamic: true });
    } else if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === 'env' &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'process'
    ) {
      readsEnv = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { found, readsEnv };
};

/** Reads every `.ts` file below `dirs` (relative to `root`; fixtures and node_modules skipped). */
export const readImportGraph = (root: string, dirs: readonly string[]): ImportGraph => {
  const files = dirs.flatMap((dir) => listTs(root, dir));
  const edges: ImportEdge[] = [];
  const packages = new Map<string, string[]>();
  const readsEnv: string[] = [];
  for (const file of files) {
    const { found, readsEnv: env } = scan(file, readFileSync(path.join(root, file), 'utf8'));
    if (env) readsEnv.push(file);
    const bare: string[] = [];
    for (const { specifier, typeOnly, dynamic } of found) {
      if (!specifier.startsWith('.')) {
        bare.push(specifier);
        continue;
      }
      const to = resolveRelative(root, file, specifier);
      if (to?.endsWith('.ts')) edges.push({ from: file, to, typeOnly, dynamic });
    }
    packages.set(file, [...new Set(bare)].sort());
  }
  return { root, files, edges, packages, readsEnv };
};

/** Strongly connected components of more than one node (or a node importing itself): the circles. */
export const circles = (
  nodes: readonly string[],
  edges: readonly (readonly [string, string])[],
): string[][] => {
  const next = new Map<string, string[]>(nodes.map((node) => [node, []]));
  for (const [from, to] of edges) next.get(from)?.push(to);
  // Tarjan's algorithm, iterative (the graph of a few hundred files is shallow, but stay safe).
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  const selfLoops = new Set(edges.filter(([a, b]) => a === b).map(([a]) => a));
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; child: number }[] = [{ node: start, child: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const children = next.get(frame.node) ?? [];
      if (frame.child < children.length) {
        const child = children[frame.child++]!;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || selfLoops.has(frame.node)) found.push(component.sort());
      }
    }
  }
  return found.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
};

/**
 * One architectural unit and the units it may import. `path` is a folder or a file, repository-relative;
 * a file belongs to the unit with the longest matching path. Imports inside one unit are always free.
 */
export interface UnitRule {
  readonly path: string;
  readonly may: readonly string[];
  /** Packages (prefixes: `@aws-sdk/`, `node:fs`) this unit must not import. */
  readonly forbiddenPackages?: readonly string[];
  /** Whether the unit may read `process.env` (or only these files of it). @default false */
  readonly readsEnv?: boolean | readonly string[];
  /** Type-only imports of these units are allowed as well (the shape of a value, not its code). */
  readonly mayTypes?: readonly string[];
}

export const unitOf = (rules: readonly UnitRule[], file: string): string | undefined => {
  let best: string | undefined;
  for (const rule of rules) {
    const matches = file === rule.path || file.startsWith(`${rule.path}/`);
    if (matches && (best === undefined || rule.path.length > best.length)) best = rule.path;
  }
  return best;
};

export interface Violation {
  readonly kind: 'import' | 'package' | 'env' | 'unowned';
  readonly file: string;
  readonly detail: string;
}

/** Every import, package or `process.env` read that the rules do not allow. */
export const checkRules = (graph: ImportGraph, rules: readonly UnitRule[]): Violation[] => {
  const byPath = new Map(rules.map((rule) => [rule.path, rule]));
  const violations: Violation[] = [];
  for (const file of graph.files) {
    if (unitOf(rules, file) === undefined)
      violations.push({ kind: 'unowned', file, detail: 'no rule covers this file' });
  }
  for (const edge of graph.edges) {
    const from = unitOf(rules, edge.from);
    const to = unitOf(rules, edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    const rule = byPath.get(from)!;
    if (rule.may.includes('*') || rule.may.includes(to)) continue;
    if (edge.typeOnly && rule.mayTypes?.includes(to)) continue;
    violations.push({
      kind: 'import',
      file: edge.from,
      detail: `${from} → ${to} (${edge.to}${edge.typeOnly ? ', type only' : ''})`,
    });
  }
  for (const [file, packages] of graph.packages) {
    const unit = unitOf(rules, file);
    const forbidden = unit === undefined ? [] : (byPath.get(unit)!.forbiddenPackages ?? []);
    for (const name of packages) {
      const hit = forbidden.find((prefix) => name === prefix || name.startsWith(prefix));
      if (hit) violations.push({ kind: 'package', file, detail: `${unit} must not import ${name}` });
    }
  }
  for (const file of graph.readsEnv) {
    const unit = unitOf(rules, file);
    if (unit === undefined) continue;
    const allowed = byPath.get(unit)!.readsEnv ?? false;
    if (allowed === true || (Array.isArray(allowed) && allowed.includes(file))) continue;
    const where = Array.isArray(allowed) ? ` (only ${allowed.join(', ')} may)` : '';
    violations.push({ kind: 'env', file, detail: `${unit} must not read process.env${where}` });
  }
  return violations;
};

/** The graph folded to units: one edge per pair of units that import each other somewhere. */
export const unitEdges = (
  graph: ImportGraph,
  rules: readonly UnitRule[],
  options: { readonly runtimeOnly?: boolean } = {},
): [string, string][] => {
  const pairs = new Set<string>();
  for (const edge of graph.edges) {
    if (options.runtimeOnly && edge.typeOnly) continue;
    const from = unitOf(rules, edge.from);
    const to = unitOf(rules, edge.to);
    if (from !== undefined && to !== undefined && from !== to) pairs.add(`${from}\u0000${to}`);
  }
  return [...pairs].sort().map((pair) => pair.split('\u0000') as [string, string]);
};
