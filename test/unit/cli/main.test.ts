import { describe, expect, it } from 'vitest';
import { CliError, type Command, EXIT, listedCommand } from '../../../cli/command';
import { runCli } from '../../../cli/main';
import { PromoterError } from '../../../functions/errors';
import { captureIo } from '../../support/cli-capture';

/** A command whose behaviour each test chooses; it records the arguments it was given. */
const fakeCommand = (run: Command['run']): Command & { calls: (readonly string[])[] } => {
  const calls: (readonly string[])[] = [];
  return {
    help: 'Usage: chart-promoter fake [--json]\n',
    calls,
    run: (args, io) => {
      calls.push(args);
      return run(args, io);
    },
  };
};

const program = (command: Command) => ({
  version: '9.9.9',
  commands: [listedCommand('fake', command, 'a command for tests')],
});

describe('runCli', () => {
  it('prints the program help listing every command, exit 0', async () => {
    const io = captureIo();
    const code = await runCli(['--help'], io, program(fakeCommand(async () => EXIT.ok)));
    expect(code).toBe(0);
    expect(io.out()).toMatch(/Usage: chart-promoter <command>/);
    expect(io.out()).toMatch(/fake\s+a command for tests/);
    expect(io.out()).toMatch(/Exit codes:/);
  });

  it('lists the commands without loading any, and loads only the command it runs', async () => {
    // Prepare: a command whose module cannot be loaded, beside one that can.
    const loaded: string[] = [];
    const broken = {
      name: 'broken',
      summary: 'never loaded here',
      load: async () => {
        loaded.push('broken');
        throw new Error('a module that must not load');
      },
    };
    const fine = fakeCommand(async () => EXIT.ok);
    const entries = [
      broken,
      {
        name: 'fake',
        summary: 'a command for tests',
        load: async () => {
          loaded.push('fake');
          return fine;
        },
      },
    ];
    const io = captureIo();
    // Act
    const help = await runCli(['--help'], io, { version: '9.9.9', commands: entries });
    const run = await runCli(['fake', 'x'], captureIo(), { version: '9.9.9', commands: entries });
    // Assess
    expect(help).toBe(0);
    expect(io.out()).toMatch(/broken\s+never loaded here/);
    expect(run).toBe(0);
    expect(loaded).toEqual(['fake']);
  });

  it('prints the version', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io, program(fakeCommand(async () => EXIT.ok)))).toBe(0);
    expect(io.out()).toBe('chart-promoter 9.9.9\n');
  });

  it('answers --help of a command without running it, wherever the flag is', async () => {
    const command = fakeCommand(async () => EXIT.ok);
    const io = captureIo();
    expect(await runCli(['fake', 'x.tgz', '-h'], io, program(command))).toBe(0);
    expect(io.out()).toBe(command.help);
    expect(command.calls).toEqual([]);
  });

  it('passes a --help after -- through to the command as an argument', async () => {
    const command = fakeCommand(async () => EXIT.ok);
    await runCli(['fake', '--', '--help'], captureIo(), program(command));
    expect(command.calls).toEqual([['--', '--help']]);
  });

  it.each([
    [['frob'], /unknown command 'frob'/],
    [['--frob'], /unknown option '--frob'/],
    [[], /Usage:/],
  ])('exits 2 on %j', async (argv, message) => {
    const io = captureIo();
    expect(await runCli(argv, io, program(fakeCommand(async () => EXIT.ok)))).toBe(EXIT.usage);
    expect(io.err()).toMatch(message);
    expect(io.out()).toBe('');
  });

  it('turns a CliError into its exit code, and into the one JSON document with --json', async () => {
    const command = fakeCommand(async () => {
      throw new CliError('FILE_NOT_FOUND', 'no such file: x.tgz');
    });
    const io = captureIo();
    expect(await runCli(['fake', 'x.tgz', '--json'], io, program(command))).toBe(2);
    expect(JSON.parse(io.out())).toEqual({
      ok: false,
      errors: [{ code: 'FILE_NOT_FOUND', message: 'no such file: x.tgz' }],
    });
    expect(io.err()).toContain('no such file: x.tgz');
  });

  it('treats a retryable PromoterError (a tool unavailable) as an environment error: exit 2', async () => {
    const command = fakeCommand(async () => {
      throw new PromoterError('RENDERER_UNAVAILABLE', 'retryable', 'helm is unavailable');
    });
    expect(await runCli(['fake'], captureIo(), program(command))).toBe(2);
  });

  it('treats any other failure as a failed run: exit 1, message on stderr, no stack', async () => {
    const io = captureIo();
    const command = fakeCommand(async () => {
      throw new Error('boom');
    });
    expect(await runCli(['fake'], io, program(command))).toBe(1);
    expect(io.err()).toBe('chart-promoter: boom\n');
  });

  it('returns the exit code of the command', async () => {
    expect(await runCli(['fake'], captureIo(), program(fakeCommand(async () => EXIT.failed)))).toBe(1);
  });
});
