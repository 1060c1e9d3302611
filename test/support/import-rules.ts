import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { UnitRule } from './import-graph';

/**
 * The folder rules of ARCHITECTURE.md ("Folders and what each may import"), as data: the architecture
 * test checks every import against them, and `npx tsx scripts/import-graph.ts` counts what breaks them.
 * Arrows run one way: down towards `ports/` and `errors.ts`, never back up.
 */

export const SOURCE_DIRS = ['functions', 'cli', 'infra', 'bench', 'test', 'scripts'] as const;

const ERRORS = 'functions/errors.ts';
/** zod/mini with English messages: the one zod every schema of the functions is built with. */
const ZOD = 'functions/zod.ts';
const PORTS = 'functions/ports';
const CHART = 'functions/chart';
const EVENTS = 'functions/events';
const PROVENANCE = 'functions/provenance';
const PROMOTION = 'functions/promotion';
const PIPELINE = 'functions/pipeline';
const FEEDBACK = 'functions/feedback';
const ADAPTERS = 'functions/adapters';
const GIT_HOSTS = 'functions/adapters/git-hosts';
const REGISTRY = 'functions/adapters/git-hosts/registry.ts';
const SHARED = 'functions/adapters/git-hosts/shared';
const OBSERVABILITY = 'functions/observability';
const CONFIG = 'functions/config';
const COMPOSITION = 'functions/composition';
const LOCAL = 'functions/local';
const HANDLERS = 'functions/handlers';
const ENTRY = 'functions/index.ts';
const RUN_QUERIES = 'infra/monitoring/run-queries.ts';
const BOARD = 'functions/board';
/** The ledger table's key names: pure data the CDK table and the DynamoDB adapter share. */
const LEDGER_KEYS = 'functions/adapters/ledger/ledger-keys.ts';

/** The domain runs anywhere: no cloud SDK, no Git client, no file system, no CDK (the brief's rule). */
const DOMAIN_FORBIDDEN = [
  '@aws-sdk/',
  '@octokit/',
  'isomorphic-git',
  'aws-cdk-lib',
  'constructs',
  'fs',
  'node:fs',
  'child_process',
  'node:child_process',
];

/** Each Git host's folder: its descriptor and adapter see the registry's types, `shared/`, the ports. */
const hostRules = (root: string): UnitRule[] => {
  const dir = path.join(root, GIT_HOSTS);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name !== 'shared' && statSync(path.join(dir, name)).isDirectory())
    .map((name) => ({
      path: `${GIT_HOSTS}/${name}`,
      may: [GIT_HOSTS, SHARED, PORTS, ERRORS],
      mayTypes: [ADAPTERS],
    }));
};

export const importRules = (root: string): UnitRule[] => {
  const hosts = hostRules(root);
  const everything = ['*'];
  return [
    { path: ERRORS, may: [] },
    { path: ZOD, may: [] },
    { path: PORTS, may: [ZOD, ERRORS], forbiddenPackages: DOMAIN_FORBIDDEN },
    { path: CHART, may: [PORTS, ERRORS], forbiddenPackages: DOMAIN_FORBIDDEN },
    { path: EVENTS, may: [ZOD, PORTS, ERRORS], forbiddenPackages: DOMAIN_FORBIDDEN },
    { path: PROVENANCE, may: [CHART, EVENTS, PORTS, ERRORS], forbiddenPackages: DOMAIN_FORBIDDEN },
    { path: PROMOTION, may: [CHART, PROVENANCE, ZOD, PORTS, ERRORS], forbiddenPackages: DOMAIN_FORBIDDEN },
    {
      path: PIPELINE,
      may: [PROMOTION, PROVENANCE, CHART, EVENTS, PORTS, ERRORS],
      forbiddenPackages: DOMAIN_FORBIDDEN,
    },
    // The function URL request is read with the invocation-event shapes of events/.
    { path: FEEDBACK, may: [PROMOTION, EVENTS, ZOD, PORTS, ERRORS], forbiddenPackages: DOMAIN_FORBIDDEN },
    // The promotion board: a view in, HTML out.
    { path: BOARD, may: [ZOD, PORTS, ERRORS], forbiddenPackages: DOMAIN_FORBIDDEN },
    { path: ADAPTERS, may: [LEDGER_KEYS, ZOD, PORTS, ERRORS] },
    // The descriptor shape; the credentials type it names lives with the secret parsers.
    { path: GIT_HOSTS, may: [SHARED, PORTS, ERRORS], mayTypes: [ADAPTERS] },
    // The one list of hosts: one line per host folder.
    { path: REGISTRY, may: [GIT_HOSTS, ...hosts.map((h) => h.path), PORTS, ERRORS] },
    { path: SHARED, may: [PORTS, ERRORS] },
    ...hosts,
    { path: OBSERVABILITY, may: [PORTS, ERRORS] },
    // Config validates the repository with the registry's descriptors (pure: no adapter is loaded).
    { path: CONFIG, may: [REGISTRY, GIT_HOSTS, CHART, ZOD, LEDGER_KEYS, ERRORS] },
    {
      path: COMPOSITION,
      may: [
        CONFIG,
        ADAPTERS,
        REGISTRY,
        GIT_HOSTS,
        OBSERVABILITY,
        PIPELINE,
        FEEDBACK,
        PROMOTION,
        BOARD,
        CHART,
        PORTS,
        ERRORS,
      ],
      readsEnv: true,
    },
    {
      path: LOCAL,
      may: [
        ADAPTERS,
        REGISTRY,
        GIT_HOSTS,
        PIPELINE,
        FEEDBACK,
        PROMOTION,
        PROVENANCE,
        EVENTS,
        BOARD,
        CHART,
        PORTS,
        ERRORS,
      ],
    },
    // Handlers parse their event (events/) and publish metrics (observability/); the rest is composed.
    { path: HANDLERS, may: [COMPOSITION, PIPELINE, FEEDBACK, BOARD, EVENTS, OBSERVABILITY, PORTS, ERRORS] },
    { path: ENTRY, may: [REGISTRY, GIT_HOSTS, ADAPTERS, CHART, PROMOTION, PORTS, ERRORS] },
    // The command line drives the domain and the local runtime, never the Lambda compositions (they
    // read the Lambda's environment when loaded) nor the handlers.
    {
      path: 'cli',
      may: [
        LOCAL,
        ADAPTERS,
        REGISTRY,
        GIT_HOSTS,
        PIPELINE,
        PROMOTION,
        PROVENANCE,
        EVENTS,
        BOARD,
        CHART,
        PORTS,
        ERRORS,
        ENTRY,
        RUN_QUERIES,
        LEDGER_KEYS,
        'cli/host-stand-ins.ts',
      ],
      readsEnv: ['cli/composition.ts'],
    },
    // `demo --host` / `local --host` run against the very stand-ins the tests use: one CLI module
    // starts them, and it is the only code outside test/ and bench/ that imports test code.
    {
      path: 'cli/host-stand-ins.ts',
      may: [GIT_HOSTS, PORTS, 'test'],
    },
    // Infra reads pure definitions the functions share: config validation, the registry, the upload
    // key filter (events/), the saved runs query and the ledger table's key names.
    {
      path: 'infra',
      may: [CONFIG, REGISTRY, GIT_HOSTS, EVENTS, RUN_QUERIES, LEDGER_KEYS],
      readsEnv: ['infra/app.ts'],
    },
    { path: LEDGER_KEYS, may: [] },
    // One saved Logs Insights query, shared by the dashboard and `chart-promoter runs`.
    { path: RUN_QUERIES, may: [] },
    { path: 'bench', may: everything, readsEnv: true },
    { path: 'test', may: everything, readsEnv: true },
    { path: 'scripts', may: everything, readsEnv: true },
  ];
};
