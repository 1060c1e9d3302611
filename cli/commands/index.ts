import type { CliDependencies, CommandEntry } from '../command';

/**
 * The registry of subcommands, in the order `--help` lists them: name, summary, and the module,
 * imported only when the command runs (a start loads one command's modules). To add one: write
 * `cli/commands/<name>.ts` exporting a factory `(deps) => Command`, and list it here.
 */
export const commandEntries = (deps: CliDependencies): readonly CommandEntry[] => [
  {
    name: 'demo',
    summary:
      'run the whole loop locally on the sample charts: upload → dev → Flux feedback → staging → prod PR',
    load: async () => (await import('./demo')).demoCommand(deps),
  },
  {
    name: 'init',
    summary: 'write the Flux objects (Kustomizations, Provider, Alert) that connect a cluster repository',
    load: async () => (await import('./init')).initCommand(),
  },
  {
    name: 'inspect',
    summary: 'validate a chart archive exactly as the pipeline would',
    load: async () => (await import('./inspect')).inspectCommand(deps),
  },
  {
    name: 'local',
    summary: 'run the embedded pipeline and promote uploads as they arrive',
    load: async () => (await import('./local')).localCommand(deps),
  },
  {
    name: 'promote',
    summary: 'promote a chart version into an environment (a commit, or a pull request per policy)',
    load: async () => (await import('./promote')).promoteCommand(deps),
  },
  {
    name: 'push',
    summary: 'check, package (if needed) and upload a chart; --wait follows it to its outcome',
    load: async () => (await import('./push')).pushCommand(deps),
  },
  {
    name: 'rollback',
    summary: 'put an earlier chart version back in an environment (a commit, or a pull request per policy)',
    load: async () => (await import('./rollback')).rollbackCommand(deps),
  },
  {
    name: 'runs',
    summary: 'list recent runs (the local run log, or CloudWatch Logs Insights with --log-group)',
    load: async () => (await import('./runs')).runsCommand(deps),
  },
  {
    name: 'status',
    summary: 'where each chart stands in each environment (the release ledger, local or deployed)',
    load: async () => (await import('./status')).statusCommand(deps),
  },
  {
    name: 'values',
    summary: "set a chart's values in one environment through the pipeline (set), or preview it (diff)",
    load: async () => (await import('./values')).valuesCommand(deps),
  },
];
