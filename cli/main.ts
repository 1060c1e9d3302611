import { isPromoterError } from '../functions/errors';
import { CliError, type CliIo, type CommandEntry, EXIT, type ExitCode } from './command';
import { commandEntries } from './commands/index';
import { createCliDependencies } from './composition';
import { columns } from './format';

export interface Program {
  readonly version: string;
  readonly commands: readonly CommandEntry[];
}

const PROGRAM = 'chart-promoter';

const programHelp = (program: Program): string => `Usage: ${PROGRAM} <command> [options]

Promote packaged Helm charts into a Flux cluster repository, the GitOps way.

Commands:
${columns(program.commands.map((c) => [c.name, c.summary]))}

Options:
${columns([
  ['-h, --help', 'show this help; `<command> --help` shows the help of a command'],
  ['-V, --version', 'print the version'],
])}

Every command accepts --json: one JSON document on stdout; logs and progress go to stderr.

Examples:
  ${PROGRAM} inspect podinfo-6.14.1.tgz
  ${PROGRAM} inspect podinfo-6.14.1.tgz --json
  ${PROGRAM} demo
  ${PROGRAM} promote podinfo 6.14.1 --to staging --function chart-promoter-promote
  ${PROGRAM} init --feedback-url https://<id>.lambda-url.<region>.on.aws/ --dir ./fleet

Exit codes:
${columns([
  ['0', 'success'],
  ['1', 'the input was refused, or the run failed'],
  ['2', 'usage or environment error'],
])}
`;

const isHelp = (arg: string): boolean => arg === '--help' || arg === '-h';

/** `--help` anywhere before a `--` terminator. */
const asksForHelp = (args: readonly string[]): boolean => {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some(isHelp);
};

/** Dispatches argv to a command and turns every failure into an exit code (never throws). */
export const runCli = async (argv: readonly string[], io: CliIo, program: Program): Promise<ExitCode> => {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(programHelp(program));
    return EXIT.usage;
  }
  if (isHelp(first)) {
    io.stdout.write(programHelp(program));
    return EXIT.ok;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${PROGRAM} ${program.version}\n`);
    return EXIT.ok;
  }
  if (first === 'help') return helpFor(rest[0], io, program);
  const entry = program.commands.find((c) => c.name === first);
  if (!entry) {
    const what = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    return fail(new CliError('USAGE', what), rest, io, `Run '${PROGRAM} --help' for the commands.`);
  }
  try {
    const command = await entry.load();
    if (asksForHelp(rest)) {
      io.stdout.write(command.help);
      return EXIT.ok;
    }
    return await command.run(rest, io);
  } catch (error) {
    return fail(error, rest, io, `Run '${PROGRAM} ${entry.name} --help' for usage.`);
  }
};

const helpFor = async (name: string | undefined, io: CliIo, program: Program): Promise<ExitCode> => {
  const entry = program.commands.find((c) => c.name === name);
  if (name !== undefined && !entry) {
    return fail(new CliError('USAGE', `unknown command '${name}'`), [], io, `Run '${PROGRAM} --help'.`);
  }
  io.stdout.write(entry ? (await entry.load()).help : programHelp(program));
  return EXIT.ok;
};

/**
 * Usage and environment errors exit 2; a tool that is unavailable (helm missing, timing out) is an
 * environment error too; anything else is a failed run (1). With --json the error is also the one
 * JSON document on stdout, so scripts never have to parse stderr.
 */
const fail = (error: unknown, args: readonly string[], io: CliIo, hint: string): ExitCode => {
  const { code, exitCode } =
    error instanceof CliError
      ? error
      : isPromoterError(error) && error.retryable
        ? { code: error.code, exitCode: EXIT.usage }
        : { code: isPromoterError(error) ? error.code : 'FAILED', exitCode: EXIT.failed };
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`${PROGRAM}: ${message}\n`);
  if (error instanceof CliError && code === 'USAGE') io.stderr.write(`${hint}\n`);
  if (args.includes('--json'))
    io.stdout.write(`${JSON.stringify({ ok: false, errors: [{ code, message }] })}\n`);
  return exitCode;
};

/** The entry `bin/chart-promoter` calls: real dependencies, process streams. */
export const main = (argv: readonly string[], io: CliIo): Promise<ExitCode> => {
  const deps = createCliDependencies();
  return runCli(argv, io, { version: deps.version, commands: commandEntries(deps) });
};
