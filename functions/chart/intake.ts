import type { ChartRenderer } from '../ports/chart-renderer';
import type { IntakeLimits, IntakeResult } from './chart';
import { resolveLimits } from './intake-limits';
import { inspectChartArchive } from './read-chart-archive';

export interface IntakeOptions {
  readonly limits?: Partial<IntakeLimits>;
  /** When given, an archive that passes the static checks must also render (helm lint + template). */
  readonly renderer?: ChartRenderer;
}

/**
 * The whole intake decision: read and check the archive, then prove it renders. The archive bytes
 * are kept while they are hashed, so the renderer sees exactly what was uploaded and the source is
 * read once. A render refusal (RENDER_FAILED) becomes the result's refusal.
 */
export const intakeChart = async (
  input: Uint8Array | AsyncIterable<Uint8Array>,
  options: IntakeOptions = {},
): Promise<IntakeResult> => {
  const limits = resolveLimits(options.limits);
  const { renderer } = options;
  const { result, archive } = await inspectChartArchive(input, limits, {
    keepArchive: renderer !== undefined,
    role: 'chart',
  });
  if (!result.ok || renderer === undefined || archive === undefined) return result;
  const rendered = await renderer.render({ archive, chart: result.chart });
  if (rendered.ok) return result;
  const { name, version } = result.chart;
  return { ok: false, refusals: [rendered.refusal], identity: { name, version } };
};
