import { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from './chart';

/**
 * Bytes the tar framing may add on top of the file contents: a 512-byte header plus up to 511 bytes
 * of padding per entry, the end-of-archive blocks, and room for PAX/GNU long-name records (tar-stream
 * caps one at 4 MiB; tar-framing.ts refuses more than Go's 1 MiB first). The inflated stream is cut
 * off past `maxDecompressedBytes` plus this, so a run of zero blocks or one enormous PAX record
 * cannot make us inflate without end.
 */
export const tarFramingAllowance = (limits: IntakeLimits): number =>
  (limits.maxEntries + 2) * 1024 + 4 * 1024 * 1024;

const isPositiveInteger = (value: number): boolean => Number.isSafeInteger(value) && value > 0;

/**
 * Fills in the defaults (a limit given as `undefined` takes its default). A limit that is not a
 * positive integer is a programming error, so it throws.
 */
export const resolveLimits = (overrides: Partial<IntakeLimits> = {}): IntakeLimits => {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const limits: IntakeLimits = { ...DEFAULT_INTAKE_LIMITS, ...given };
  for (const [key, value] of Object.entries(limits)) {
    if (!isPositiveInteger(value))
      throw new RangeError(`intake limit ${key} must be a positive integer, got ${value}`);
  }
  return limits;
};
