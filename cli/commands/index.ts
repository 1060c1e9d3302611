import type { CliDependencies, Command } from '../command';
import { inspectCommand } from './inspect';

/**
 * The registry of subcommands, in the order `--help` lists them. To add one: write
 * `cli/commands/<name>.ts` exporting a factory `(deps) => Command`, and list it here.
 */
export const buildCommands = (deps: CliDependencies): readonly Command[] => [inspectCommand(deps)];
