/**
 * Figures about the shape of the code, from the same import graph and rules the architecture test
 * checks (test/architecture): import circles (file level, with and without type-only imports; folder
 * level), imports the folder rules of ARCHITECTURE.md do not allow, files per folder, the largest
 * files. `--mermaid` prints the folder graph as a Mermaid flowchart instead.
 *
 *   npx tsx scripts/import-graph.ts [--root DIR] [--mermaid] [--json]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkRules, circles, readImportGraph, unitEdges, unitOf } from '../test/support/import-graph';
import { importRules, SOURCE_DIRS } from '../test/support/import-rules';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: '.' },
    mermaid: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const root = path.resolve(values.root);
const graph = readImportGraph(root, SOURCE_DIRS);
const rules = importRules(root);
const product = (file: string) =>
  !file.startsWith('test/') && !file.startsWith('bench/') && !file.startsWith('scripts/');

if (values.mermaid) {
  const units = unitEdges(graph, rules, { runtimeOnly: false }).filter(
    ([from, to]) => product(`${from}/`) && product(`${to}/`),
  );
  const id = (unit: string) => unit.replace(/[^A-Za-z0-9]/g, '_');
  const lines = ['flowchart TD'];
  for (const [from, to] of units) {
    lines.push(`  ${id(from)}["${from}"] --> ${id(to)}["${to}"]`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exit(0);
}

const fileCircles = circles(
  graph.files,
  graph.edges.map((e) => [e.from, e.to] as const),
);
const runtimeCircles = circles(
  graph.files,
  graph.edges.filter((e) => !e.typeOnly).map((e) => [e.from, e.to] as const),
);
// Tests, benchmarks and scripts may import anything; the folder circles that matter are the product's.
const units = [...new Set(graph.files.filter(product).map((f) => unitOf(rules, f) ?? '(none)'))];
const folderCircles = circles(
  units,
  unitEdges(graph, rules).filter(([from, to]) => product(`${from}/`) && product(`${to}/`)),
);
const violations = checkRules(graph, rules);

const lineCount = (file: string) => readFileSync(path.join(root, file), 'utf8').split('\n').length;
const perFolder = new Map<string, number>();
for (const file of graph.files) {
  const folder = path.posix.dirname(file);
  perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
}
const sizes = graph.files.map((file) => ({ file, lines: lineCount(file) })).sort((a, b) => b.lines - a.lines);
const figures = {
  files: graph.files.length,
  imports: graph.edges.length,
  circles: { files: fileCircles, filesRuntimeOnly: runtimeCircles, folders: folderCircles },
  violations,
  filesPerFolder: Object.fromEntries([...perFolder].sort((a, b) => b[1] - a[1])),
  largest: sizes.filter((s) => product(s.file)).slice(0, 5),
  largestTest: sizes.filter((s) => !product(s.file)).slice(0, 3),
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
} else {
  const out: string[] = [];
  out.push(`${figures.files} TypeScript files, ${figures.imports} imports between them`);
  out.push(`import circles (files, all imports): ${fileCircles.length}`);
  for (const c of fileCircles) out.push(`  ${c.join(' ↔ ')}`);
  out.push(`import circles (files, runtime imports only): ${runtimeCircles.length}`);
  for (const c of runtimeCircles) out.push(`  ${c.join(' ↔ ')}`);
  out.push(`import circles (folders): ${folderCircles.length}`);
  for (const c of folderCircles) out.push(`  ${c.join(' ↔ ')}`);
  out.push(`imports against the folder rules (ARCHITECTURE.md): ${violations.length}`);
  for (const v of violations) out.push(`  [${v.kind}] ${v.file}: ${v.detail}`);
  out.push('files per folder (most first):');
  for (const [folder, count] of Object.entries(figures.filesPerFolder).slice(0, 12))
    out.push(`  ${String(count).padStart(3)} ${folder}`);
  out.push('largest product files (lines):');
  for (const { file, lines } of figures.largest) out.push(`  ${String(lines).padStart(4)} ${file}`);
  out.push('largest test/bench files (lines):');
  for (const { file, lines } of figures.largestTest) out.push(`  ${String(lines).padStart(4)} ${file}`);
  process.stdout.write(`${out.join('\n')}\n`);
}
