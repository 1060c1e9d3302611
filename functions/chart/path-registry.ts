import { type Refusal, refusal } from './refusal';
import type { EntryKind } from './safe-path';

interface Seen {
  readonly path: string;
  readonly kind: EntryKind;
}

/**
 * Two names that a case-insensitive or normalising file system (macOS, Windows, some git checkouts)
 * would write to the same place: one would silently overwrite the other after we validated both.
 */
const collisionKey = (path: string): string => path.normalize('NFC').toLowerCase().normalize('NFC');

/**
 * Remembers every path of the archive (and the directories they imply) and refuses duplicates,
 * file/directory clashes, and names that collide by case or Unicode normalisation.
 */
export class PathRegistry {
  private readonly seen = new Map<string, Seen>();

  /** Returns a refusal when `path` clashes with an earlier entry, else records it. */
  add(path: string, segments: readonly string[], kind: EntryKind): Refusal | undefined {
    for (let depth = 1; depth < segments.length; depth += 1) {
      const clash = this.record(segments.slice(0, depth).join('/'), 'directory', false);
      if (clash !== undefined) return clash;
    }
    return this.record(path, kind, true);
  }

  private record(path: string, kind: EntryKind, explicit: boolean): Refusal | undefined {
    const key = collisionKey(path);
    const earlier = this.seen.get(key);
    if (earlier === undefined) {
      this.seen.set(key, { path, kind });
      return undefined;
    }
    if (earlier.path !== path) {
      return refusal(
        'UNSAFE_PATH',
        `entry ${JSON.stringify(path)} collides with ${JSON.stringify(earlier.path)} (same name up to case or Unicode normalisation)`,
        path,
      );
    }
    if (earlier.kind === 'directory' && kind === 'directory') return undefined;
    const what = earlier.kind === kind ? 'appears more than once' : 'is both a file and a directory';
    return refusal(
      'UNSAFE_PATH',
      `entry ${JSON.stringify(path)} ${what}${explicit ? '' : ' (as a parent)'}`,
      path,
    );
  }
}
