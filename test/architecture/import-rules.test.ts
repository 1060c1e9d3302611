import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GIT_HOST_KINDS } from '../../functions/adapters/git-hosts/registry';
import {
  checkRules,
  circles,
  type ImportGraph,
  readImportGraph,
  unitEdges,
  unitOf,
} from '../support/import-graph';
import { importRules, SOURCE_DIRS } from '../support/import-rules';

/**
 * ARCHITECTURE.md's folder rules, checked on every import of the repository (read with the
 * TypeScript parser: test/support/import-graph.ts). Arrows run one way, towards ports/ and errors.ts.
 */
const root = path.resolve(import.meta.dirname, '../..');
const graph = readImportGraph(root, SOURCE_DIRS);
const rules = importRules(root);
const product = (file: string) => /^(functions|cli|infra)\//.test(file);

describe('the folder rules of ARCHITECTURE.md', () => {
  it('reads the whole tree', () => {
    expect(graph.files.length).toBeGreaterThan(300);
    expect(graph.edges.length).toBeGreaterThan(1000);
  });

  it('holds for every import, package and process.env read', () => {
    const violations = checkRules(graph, rules).map((v) => `[${v.kind}] ${v.file}: ${v.detail}`);
    expect(violations).toEqual([]);
  });

  it('leaves no import circle between files (type-only imports included) or folders', () => {
    const files = graph.files.filter(product);
    const edges = graph.edges.filter((e) => product(e.from) && product(e.to));
    expect(
      circles(
        files,
        edges.map((e) => [e.from, e.to] as const),
      ),
    ).toEqual([]);
    const units = [...new Set(files.map((f) => unitOf(rules, f)!))];
    const folderEdges = unitEdges(graph, rules).filter(
      ([from, to]) => product(`${from}/`) && product(`${to}/`),
    );
    expect(circles(units, folderEdges)).toEqual([]);
  });

  it('gives every Git host folder its registry entry, and every kind its folder', () => {
    const hostsDir = path.join(root, 'functions/adapters/git-hosts');
    const folders = readdirSync(hostsDir).filter(
      (name) => name !== 'shared' && statSync(path.join(hostsDir, name)).isDirectory(),
    );
    expect([...folders].sort()).toEqual([...GIT_HOST_KINDS].sort());
  });

  it('can fail: an adapter importing the pipeline, a port importing the domain, a circle', () => {
    // Prepare: a small graph that breaks the rules the way the tree once did.
    const broken: ImportGraph = {
      root,
      files: [
        'functions/adapters/sqs-scheduler.ts',
        'functions/pipeline/scheduler.ts',
        'functions/ports/x.ts',
      ],
      edges: [
        {
          from: 'functions/adapters/sqs-scheduler.ts',
          to: 'functions/pipeline/scheduler.ts',
          typeOnly: false,
          dynamic: false,
        },
        {
          from: 'functions/ports/x.ts',
          to: 'functions/pipeline/scheduler.ts',
          typeOnly: true,
          dynamic: false,
        },
        {
          from: 'functions/pipeline/scheduler.ts',
          to: 'functions/ports/x.ts',
          typeOnly: true,
          dynamic: false,
        },
      ],
      packages: new Map([['functions/pipeline/scheduler.ts', ['@aws-sdk/client-sqs']]]),
      readsEnv: ['functions/pipeline/scheduler.ts'],
    };
    // Act
    const violations = checkRules(broken, rules);
    const found = circles(
      broken.files,
      broken.edges.map((e) => [e.from, e.to] as const),
    );
    // Assess
    expect(violations.map((v) => v.kind).sort()).toEqual(['env', 'import', 'import', 'package']);
    expect(found).toEqual([['functions/pipeline/scheduler.ts', 'functions/ports/x.ts']]);
  });
});
