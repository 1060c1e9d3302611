import { describe, expect, it } from 'vitest';
import { LABEL_NAME_LIMIT, pullRequestLabels } from '../../../../functions/promotion/moves/pull-request';

describe('pullRequestLabels', () => {
  it('names the tool, the environment and the chart', () => {
    // Act
    const labels = pullRequestLabels('prod', 'web');
    // Assess
    expect(labels).toEqual(['chart-promoter', 'env/prod', 'chart/web']);
  });

  it("cuts names past GitHub's 50-character limit and marks the cut", () => {
    // Prepare: Helm allows 53-character chart names.
    const chart = `a${'b'.repeat(51)}c`;
    // Act
    const [, environment, chartLabel] = pullRequestLabels('e'.repeat(46), chart);
    // Assess
    expect(environment).toBe(`env/${'e'.repeat(46)}`); // exactly 50: kept whole
    expect([...chartLabel!]).toHaveLength(LABEL_NAME_LIMIT);
    expect(chartLabel).toBe(`chart/a${'b'.repeat(42)}…`);
  });
});
