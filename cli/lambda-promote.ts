import type { InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { CommandOutcome } from '../functions/pipeline/run-promotion-command';
import type { PromotionCommand } from '../functions/ports/promotion-command';
import { CliError, EXIT, type LambdaInvoker } from './command';

const decode = (payload: Uint8Array | undefined): unknown => {
  if (!payload || payload.byteLength === 0) return undefined;
  const text = new TextDecoder().decode(payload);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

const isOutcome = (value: unknown): value is CommandOutcome =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { status?: unknown }).status === 'string' &&
  typeof (value as { command?: unknown }).command === 'object';

/**
 * Runs a promotion command in the deployed promote function: a synchronous Invoke whose payload is the
 * command's wire format (`{"chartPromoter":"promote",...}`); the function answers with
 * runPromotionCommand's outcome. A function error (`FunctionError`: the function threw or timed out)
 * fails the run (exit 1); a call that never reached the function (credentials, no such function,
 * throttled) is an environment error (exit 2).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export const invokePromoteFunction = async (
  lambda: LambdaInvoker,
  functionName: string,
  command: PromotionCommand,
): Promise<CommandOutcome> => {
  // Loaded on first use: the other commands never pay for the Lambda client.
  const { InvokeCommand } = await import('@aws-sdk/client-lambda');
  let response: InvokeCommandOutput;
  try {
    response = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(command)),
      }),
    );
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError('AWS_ERROR', `cannot invoke ${functionName}: ${name}: ${message}`);
  }
  const payload = decode(response.Payload);
  if (response.FunctionError) {
    const { errorType, errorMessage } = (payload ?? {}) as { errorType?: string; errorMessage?: string };
    throw new CliError(
      'FUNCTION_ERROR',
      `${functionName} failed (${response.FunctionError}): ${errorType ?? 'Error'}: ${errorMessage ?? JSON.stringify(payload)}`,
      EXIT.failed,
    );
  }
  if (!isOutcome(payload)) {
    throw new CliError(
      'UNEXPECTED_RESPONSE',
      `${functionName} answered ${JSON.stringify(payload)?.slice(0, 200)}, not a promotion outcome: is it chart-promoter's promote function, deployed with manual promotions?`,
      EXIT.failed,
    );
  }
  return payload;
};
