import { describe, expect, it } from 'vitest';
import {
  pullRequestBranch,
  pullRequestTitle,
  TITLE_LIMIT,
} from '../../../../functions/promotion/moves/pull-request';

describe('pullRequestTitle and pullRequestBranch', () => {
  it('names the issue keys in the title, where Jira links pull requests', () => {
    // Act
    const title = pullRequestTitle('promote web 1.2.0 to prod', ['OPS-2', 'OPS-3']);
    // Assess
    expect(title).toBe('promote web 1.2.0 to prod (OPS-2, OPS-3)');
    expect(pullRequestTitle('promote web 1.2.0 to prod')).toBe('promote web 1.2.0 to prod');
  });

  it('keeps the title within the limit by leaving out whole keys (the body lists them all)', () => {
    // Prepare
    const keys = Array.from({ length: 40 }, (_, i) => `PROJECT-${1000 + i}`);
    // Act
    const title = pullRequestTitle('promote web 1.2.0 to prod', keys);
    // Assess
    expect([...title].length).toBeLessThanOrEqual(TITLE_LIMIT);
    expect(title).toMatch(/^promote web 1\.2\.0 to prod \(PROJECT-1000, .*PROJECT-\d+\)$/);
    expect(title).not.toContain('PROJECT-1039');
  });

  it('gives one branch per chart and environment, whatever the version', () => {
    // Assess
    expect(pullRequestBranch('prod', 'web')).toBe('promote/prod/web');
  });
});
