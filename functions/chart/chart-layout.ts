import { type Refusal, refusal } from './refusal';
import type { TarEntries } from './tar-entries';

export type ChartLayout =
  | { readonly ok: true; readonly root: string; readonly files: ReadonlyMap<string, Uint8Array> }
  | { readonly ok: false; readonly refusals: readonly Refusal[] };

/**
 * A packaged chart is exactly one top-level directory holding everything (what `helm package` writes).
 * Files beside it or a second directory are refused as UNSAFE_PATH: they would land outside
 * `charts/<name>/<version>/` or be silently dropped by Helm's loader, which strips the first segment.
 */
export const chartLayout = (entries: TarEntries): ChartLayout => {
  const roots = new Set<string>();
  const refusals: Refusal[] = [];
  for (const path of entries.directories) roots.add(path.split('/')[0] ?? path);
  for (const path of entries.files.keys()) {
    const slash = path.indexOf('/');
    if (slash === -1)
      refusals.push(
        refusal('UNSAFE_PATH', `file ${JSON.stringify(path)} is outside the chart directory`, path),
      );
    else roots.add(path.slice(0, slash));
  }
  if (roots.size > 1) {
    const names = [...roots]
      .sort()
      .slice(0, 5)
      .map((name) => JSON.stringify(name));
    refusals.push(
      refusal('UNSAFE_PATH', `archive has more than one top-level directory: ${names.join(', ')}`),
    );
  }
  if (refusals.length > 0) return { ok: false, refusals };
  const [root] = roots;
  if (root === undefined)
    return { ok: false, refusals: [refusal('ARCHIVE_CORRUPT', 'archive contains no entries')] };
  const files = new Map<string, Uint8Array>();
  for (const [path, data] of entries.files) files.set(path.slice(root.length + 1), data);
  return { ok: true, root, files };
};
