import type { Refusal } from './refusal';

/** One file of a chart, its path relative to the chart root (no top-level directory). */
export interface ChartFile {
  readonly path: string;
  readonly size: number;
  readonly data: Uint8Array;
}

export interface ChartDependency {
  readonly name: string;
  readonly version?: string;
  readonly repository?: string;
  readonly condition?: string;
  readonly alias?: string;
}

/** A packaged chart that passed intake: metadata plus its files, held in memory. */
export interface Chart {
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  readonly apiVersion: 'v1' | 'v2';
  readonly type: 'application' | 'library';
  readonly description?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly dependencies: readonly ChartDependency[];
  /** `sha256:<hex>` of the archive bytes as uploaded. */
  readonly digest: string;
  /** Size of the archive as uploaded (compressed). */
  readonly archiveBytes: number;
  /** Sum of file sizes, decompressed. */
  readonly bytes: number;
  /** Files sorted by path. */
  readonly files: readonly ChartFile[];
}

/** Which chart an archive holds, as far as its Chart.yaml could be read. */
export interface ChartIdentity {
  readonly name: string;
  readonly version: string;
}

export type IntakeResult =
  | { readonly ok: true; readonly chart: Chart }
  | {
      readonly ok: false;
      readonly refusals: readonly Refusal[];
      /**
       * The chart's name and version when its Chart.yaml passed its own checks and something else
       * was refused (a dependency, the values, the render): runs and tags can then name the chart.
       */
      readonly identity?: ChartIdentity;
    };

/** Defaults follow Helm's own loader (pkg/chart/loader): 100 MiB decompressed, 5 MiB per file. */
export interface IntakeLimits {
  /** Maximum total decompressed bytes of all entries (tar headers excluded). */
  readonly maxDecompressedBytes: number;
  /** Maximum size of any single file. */
  readonly maxFileBytes: number;
  /** Maximum number of tar entries (files and directories). */
  readonly maxEntries: number;
  /** Maximum size of the archive as uploaded. */
  readonly maxArchiveBytes: number;
  /**
   * Deadline for reading and checking one archive (the render check has its own); past it intake
   * throws a retryable PromoterError `INTAKE_TIMEOUT` (functions/chart/intake-deadline.ts).
   * @default 60000 (DEFAULT_INTAKE_DURATION_MS, kept out of DEFAULT_INTAKE_LIMITS so existing
   * spreads and comparisons of it stay as they were)
   */
  readonly maxDurationMs?: number;
}

export const DEFAULT_INTAKE_LIMITS: IntakeLimits = {
  maxDecompressedBytes: 100 * 1024 * 1024,
  maxFileBytes: 5 * 1024 * 1024,
  maxEntries: 10_000,
  maxArchiveBytes: 50 * 1024 * 1024,
};
