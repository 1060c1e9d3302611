import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { CliDependencies } from '../../../cli/command';
import { commandEntries } from '../../../cli/commands/index';
import { REFUSAL_CODES } from '../../../functions/chart/refusal';

/**
 * The README's command table and refusal table are what a user reads first: they must say what
 * `--help` and the code say.
 */
const unused = () => {
  throw new Error('help texts need no dependency');
};
const deps: CliDependencies = {
  version: 'test',
  renderer: unused,
  releaseRenderer: unused,
  helmPath: unused,
  sampleChartsDir: '/nowhere',
  lambda: unused,
  logs: unused,
  dynamodb: unused,
};

const readme = async (): Promise<string> => readFile(new URL('../../../README.md', import.meta.url), 'utf8');

/** The rows of the table under "## The `chart-promoter` command": `[command, options]`. */
const commandTable = (text: string): [string, Set<string>][] => {
  const section = text.slice(text.indexOf('## The `chart-promoter` command'));
  const table = section.slice(section.indexOf('| command | does |'));
  const rows = table.split('\n').slice(2);
  const end = rows.findIndex((row) => !row.startsWith('|'));
  return rows.slice(0, end).map((row) => {
    const usage = /^\| `([^`]+)`/.exec(row)?.[1] ?? '';
    return [usage.split(' ')[0] ?? '', new Set(usage.match(/--[a-z][a-z-]*/g) ?? [])];
  });
};

/** The options a command's --help lists (its "Options:" block), without --help itself. */
const helpOptions = (help: string): Set<string> => {
  const block = help.slice(help.indexOf('Options:'), help.indexOf('\n\n', help.indexOf('Options:')));
  return new Set(
    [...block.matchAll(/^ {2}(?:-[a-zA-Z], )?(--[a-z][a-z-]*)/gm)]
      .map((match) => match[1]!)
      .filter((option) => option !== '--help'),
  );
};

describe('README.md and the command line say the same', () => {
  it('lists every command, each with exactly the options its --help lists', async () => {
    // Prepare
    const rows = commandTable(await readme());
    const entries = commandEntries(deps);
    const commands = await Promise.all(
      entries.map(async (entry) => ({ name: entry.name, help: (await entry.load()).help })),
    );

    // Act
    const inReadme = new Map<string, Set<string>>();
    for (const [name, options] of rows)
      inReadme.set(name, new Set([...(inReadme.get(name) ?? []), ...options]));

    // Assess
    expect([...inReadme.keys()].sort()).toEqual(commands.map((c) => c.name).sort());
    for (const command of commands) {
      expect([...(inReadme.get(command.name) ?? [])].sort(), command.name).toEqual(
        [...helpOptions(command.help)].sort(),
      );
    }
  });

  it('documents every refusal code of intake in the refusal table', async () => {
    // Prepare
    const text = await readme();
    const documented = new Set([...text.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]));

    // Assess
    expect(REFUSAL_CODES.filter((code) => !documented.has(code))).toEqual([]);
  });
});
