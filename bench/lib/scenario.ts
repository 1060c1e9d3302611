import type { FigureSink, RunPlan } from './figures';

/** Request counts of one promotion batch through the GitHub adapter, by server route (medians). */
export interface RequestProfile {
  readonly charts: number;
  readonly byRoute: Readonly<Record<string, number>>;
  readonly total: number;
  readonly runs: number;
}

export interface ScenarioContext {
  readonly plan: RunPlan;
  readonly sink: FigureSink;
  /** Progress for the operator, on stderr. */
  log(message: string): void;
  /** What one scenario measured that a later one derives from (scenario 3 uses scenario 1's profiles). */
  readonly shared: { requestProfiles?: readonly RequestProfile[] };
}

export interface Scenario {
  /** Short id for `--only`. */
  readonly id: string;
  readonly title: string;
  /**
   * `false`: left out of `--quick` unless named with `--only` (it needs minutes whatever the sizes:
   * a `cdk synth`, a browser, whole demo runs). @default true
   */
  readonly quick?: boolean;
  run(context: ScenarioContext): Promise<void>;
}
