import { Console } from 'node:console';
import type { Writable } from 'node:stream';
import type { Logger } from '@aws-lambda-powertools/logger';

/**
 * Powertools' Logger prints through a private Console bound to process.stdout (as Lambda wants:
 * https://github.com/aws-powertools/powertools-lambda-typescript/blob/main/packages/logger/src/Logger.ts,
 * `setConsole`). In the CLI stdout belongs to the command's own output (`--json` is one document), so
 * the local runtime points that Console at its log file instead. Same JSON lines, another stream.
 */
export const redirectLoggerOutput = (logger: Logger, stream: Writable): Logger => {
  (logger as unknown as { console: Console }).console = new Console({ stdout: stream, stderr: stream });
  return logger;
};
