/**
 * The one zod of the functions: `zod/mini` (https://zod.dev/packages/mini), the same schemas and
 * parser as classic zod with functions instead of methods, so a bundle carries only the checks it
 * uses (classic zod's method-laden classes keep all of them).
 *
 * English messages: classic zod registers its English locale when its first schema is built
 * (v4/classic/schemas.ts `_ensureDefaultLocale`); zod/mini registers none, and every issue without a
 * message of its own would read "Invalid input" (v4/core/util.ts `finalizeIssue`: the schema's error,
 * then the parse's, then the configured locale's). https://github.com/colinhacks/zod/tree/v4.6.7/packages/zod/src/v4
 * Importing zod through this module is how every schema gets them (biome.json forbids importing zod
 * directly elsewhere).
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';

/**
 * `fn` on the raw input, then `schema` on what it returns: classic zod's `z.preprocess`, which is a
 * pipe from a transform (zod v4 classic/schemas.ts `preprocess`; core `$ZodPreprocess` is `$ZodPipe`).
 */
export const preprocess = <T extends z.ZodMiniType>(fn: (value: unknown) => unknown, schema: T) =>
  z.pipe(z.transform(fn), schema);
