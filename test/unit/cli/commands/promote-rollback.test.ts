import type { InvokeCommand, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import type { CliDependencies, LambdaInvoker } from '../../../../cli/command';
import { listedCommand } from '../../../../cli/command';
import { promoteCommand } from '../../../../cli/commands/promote';
import { rollbackCommand } from '../../../../cli/commands/rollback';
import { runCli } from '../../../../cli/main';
import { captureIo } from '../../../support/cli-capture';

/**
 * `promote`/`rollback --function`: the AWS mode, with a fake Lambda client (Lambda cannot run here).
 * The fake records each InvokeCommand and answers what the deployed promote function would.
 */
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** What the fake answers: the Invoke output fields, with the payload as plain bytes. */
type Answer = Partial<Omit<InvokeCommandOutput, 'Payload'>> & { readonly Payload?: Uint8Array };

const fakeLambda = (answer: (input: InvokeCommand['input']) => Answer | Error) => {
  const calls: { input: InvokeCommand['input']; region: string | undefined }[] = [];
  let region: string | undefined;
  const client: LambdaInvoker = {
    send: async (command) => {
      calls.push({ input: command.input, region });
      const result = answer(command.input);
      if (result instanceof Error) throw result;
      return { $metadata: {}, StatusCode: 200, ...result } as InvokeCommandOutput;
    },
  };
  const deps = {
    lambda: async (r?: string) => {
      region = r;
      return client;
    },
  } as unknown as CliDependencies;
  return { deps, calls };
};

const program = (deps: CliDependencies) => ({
  version: 'test',
  commands: [
    listedCommand('promote', promoteCommand(deps)),
    listedCommand('rollback', rollbackCommand(deps)),
  ],
});

const payloadOf = (input: InvokeCommand['input']) =>
  JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as Record<string, unknown>;

const commit = { sha: 'a'.repeat(40), parent: 'b'.repeat(40) };

describe('chart-promoter promote/rollback --function (AWS mode, fake Lambda client)', () => {
  it('invokes the function synchronously with the command JSON and prints the committed outcome (exit 0)', async () => {
    // Prepare
    const { deps, calls } = fakeLambda((input) => ({
      Payload: encode({
        command: payloadOf(input),
        runId: 'run-1',
        status: 'committed',
        chart: 'web',
        environment: 'staging',
        commit,
        toVersion: '1.2.0',
        fromVersion: '1.1.0',
      }),
    }));
    const io = captureIo();

    // Act
    const code = await runCli(
      [
        'promote',
        'web',
        '1.2.0',
        '--to',
        'staging',
        '--from',
        'dev',
        '--function',
        'cp-promote',
        '--region',
        'eu-west-1',
        '--json',
      ],
      io,
      program(deps),
    );

    // Assess
    expect(code, io.err()).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.region).toBe('eu-west-1');
    expect(calls[0]?.input).toMatchObject({ FunctionName: 'cp-promote', InvocationType: 'RequestResponse' });
    expect(payloadOf(calls[0]!.input)).toEqual({
      chartPromoter: 'promote',
      chart: 'web',
      version: '1.2.0',
      from: 'dev',
      to: 'staging',
    });
    expect(JSON.parse(io.out())).toMatchObject({
      ok: true,
      status: 'committed',
      chart: 'web',
      version: '1.2.0',
      environment: 'staging',
      commit: commit.sha,
      runId: 'run-1',
      where: 'function cp-promote',
    });
  });

  it('rollback sends the rollback command; a refusal exits 1 with its code', async () => {
    // Prepare
    const { deps, calls } = fakeLambda((input) => ({
      Payload: encode({
        command: payloadOf(input),
        runId: 'rollback-1',
        status: 'refused',
        chart: 'web',
        environment: 'prod',
        code: 'NO_PREVIOUS_VERSION',
        message: "prod's web records no previous version",
      }),
    }));
    const io = captureIo();

    // Act
    const code = await runCli(
      ['rollback', 'web', '--env', 'prod', '--function', 'arn:aws:lambda:eu-west-1:123456789012:function:cp'],
      io,
      program(deps),
    );

    // Assess
    expect(code).toBe(1);
    expect(payloadOf(calls[0]!.input)).toEqual({
      chartPromoter: 'rollback',
      chart: 'web',
      environment: 'prod',
    });
    expect(io.out()).toContain('refused rollback of web in prod: NO_PREVIOUS_VERSION');
  });

  it('a pull-request outcome exits 0 and names the pull request', async () => {
    // Prepare
    const { deps } = fakeLambda((input) => ({
      Payload: encode({
        command: payloadOf(input),
        runId: 'run-2',
        status: 'pull-request',
        chart: 'web',
        environment: 'prod',
        number: 7,
        url: 'https://github.com/acme/fleet/pull/7',
        created: true,
        branch: 'promote/prod/web',
        commit,
        toVersion: '1.2.0',
      }),
    }));
    const io = captureIo();

    // Act
    const code = await runCli(
      ['promote', 'web', '1.2.0', '--to', 'prod', '--function', 'cp'],
      io,
      program(deps),
    );

    // Assess
    expect(code).toBe(0);
    expect(io.out()).toContain('https://github.com/acme/fleet/pull/7');
  });

  it('a function error exits 1; a call that cannot reach the function exits 2', async () => {
    // Prepare
    const failing = fakeLambda(() => ({
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'Error', errorMessage: 'Task timed out after 30.00 seconds' }),
    }));
    const unreachable = fakeLambda(() =>
      Object.assign(new Error('Function not found: cp'), { name: 'ResourceNotFoundException' }),
    );
    const io1 = captureIo();
    const io2 = captureIo();

    // Act
    const failed = await runCli(
      ['promote', 'web', '1.2.0', '--to', 'prod', '--function', 'cp', '--json'],
      io1,
      program(failing.deps),
    );
    const missing = await runCli(
      ['promote', 'web', '1.2.0', '--to', 'prod', '--function', 'cp'],
      io2,
      program(unreachable.deps),
    );

    // Assess
    expect(failed).toBe(1);
    expect(JSON.parse(io1.out())).toMatchObject({ ok: false, errors: [{ code: 'FUNCTION_ERROR' }] });
    expect(io1.err()).toContain('Task timed out');
    expect(missing).toBe(2);
    expect(io2.err()).toContain('ResourceNotFoundException');
  });

  it('usage errors exit 2 without invoking anything', async () => {
    // Prepare
    const { deps, calls } = fakeLambda(() => new Error('must not be called'));
    const cases = [
      ['promote', 'web', '1.2.0', '--function', 'cp'],
      ['promote', 'web', '1.2.0', '--to', 'Not_A_Label', '--function', 'cp'],
      ['promote', 'web', '1.2.0', '--to', 'prod', '--function', 'cp', '--workdir', '/tmp/x'],
      ['rollback', 'web', '--function', 'cp'],
      ['rollback', 'web', '--env', 'prod', '--region', 'eu-west-1'],
    ];

    // Act
    const codes = [];
    for (const args of cases) codes.push(await runCli(args, captureIo(), program(deps)));

    // Assess
    expect(codes).toEqual([2, 2, 2, 2, 2]);
    expect(calls).toEqual([]);
  });
});
