import type { CliIo } from '../../cli/command';

/** A CliIo that keeps what a command writes, for assertions. */
export const captureIo = (): CliIo & { out: () => string; err: () => string } => {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
};
