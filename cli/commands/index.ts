import type { CliDependencies, Command } from '../command';
import { demoCommand } from './demo';
import { initCommand } from './init';
import { inspectCommand } from './inspect';
import { localCommand } from './local';
import { promoteCommand } from './promote';
import { pushCommand } from './push';
import { rollbackCommand } from './rollback';
import { runsCommand } from './runs';
import { statusCommand } from './status';

/**
 * The registry of subcommands, in the order `--help` lists them. To add one: write
 * `cli/commands/<name>.ts` exporting a factory `(deps) => Command`, and list it here.
 */
export const buildCommands = (deps: CliDependencies): readonly Command[] => [
  demoCommand(deps),
  initCommand(),
  inspectCommand(deps),
  localCommand(deps),
  promoteCommand(deps),
  pushCommand(deps),
  rollbackCommand(deps),
  runsCommand(deps),
  statusCommand(deps),
];
