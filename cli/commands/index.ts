import type { CliDependencies, Command } from '../command';
import { demoCommand } from './demo';
import { inspectCommand } from './inspect';
import { localCommand } from './local';
import { pushCommand } from './push';
import { runsCommand } from './runs';

/**
 * The registry of subcommands, in the order `--help` lists them. To add one: write
 * `cli/commands/<name>.ts` exporting a factory `(deps) => Command`, and list it here.
 */
export const buildCommands = (deps: CliDependencies): readonly Command[] => [
  demoCommand(deps),
  inspectCommand(deps),
  localCommand(deps),
  pushCommand(deps),
  runsCommand(),
];
