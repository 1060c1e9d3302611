import type { CliIo } from '../command';
import { humanBytes } from '../format';

/**
 * Progress for people at a terminal, and none of its redrawing in logs: on a TTY one line redrawn in
 * place (`\r`, then cleared with ANSI "erase in line" when done); otherwise the plain line `start`
 * once, and nothing per step. `quiet` (e.g. --json off a terminal) prints nothing at all.
 * https://nodejs.org/api/tty.html#writestreamistty
 */
export interface Progress {
  update(text: string): void;
  done(): void;
}

const CLEAR_LINE = '\r\u001b[K';

export const progress = (io: CliIo, start: string, options: { readonly quiet?: boolean } = {}): Progress => {
  if (io.stderr.isTTY === true) {
    let drawn = false;
    return {
      update: (text) => {
        io.stderr.write(`${CLEAR_LINE}${text}`);
        drawn = true;
      },
      done: () => {
        if (drawn) io.stderr.write(CLEAR_LINE);
        drawn = false;
      },
    };
  }
  if (!options.quiet) io.stderr.write(`${start}\n`);
  return { update: () => undefined, done: () => undefined };
};

/** `[#########.....................] 5.0 MiB / 60.0 MiB` */
export const progressBar = (loaded: number, total: number): string => {
  const width = 30;
  const filled = total > 0 ? Math.min(width, Math.round((loaded / total) * width)) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${humanBytes(loaded)} / ${humanBytes(total)}`;
};
