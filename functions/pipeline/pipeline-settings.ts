import type { IntakeLimits } from '../chart/chart';
import type { PlanOptions } from '../promotion/promotion';

/** What the pipeline needs to know, parsed once at the edge (Lambda config or the local runtime). */
export interface PipelineSettings {
  readonly branch: string;
  readonly bucketPrefix: string;
  readonly targetEnvironment: string;
  readonly limits: IntakeLimits;
  readonly plan: PlanOptions;
}
