import { describe, expect, it } from 'vitest';
import { closingLine } from '../../../cli/demo/demo-report';
import type { UploadOutcome } from '../../../functions/pipeline/upload-outcome';

const run = (status: UploadOutcome['status']): UploadOutcome => ({
  status,
  bucket: 'charts',
  key: 'incoming/hello-web-1.0.0.tgz',
  runId: 'r',
  chart: 'hello-web',
  version: '1.0.0',
  environment: 'dev',
  durationMs: 5,
});

describe("the demo's last line: it never suggests the re-run it is", () => {
  it('suggests the re-run after a run that promoted', () => {
    // Act
    const line = closingLine({ runs: [run('promoted'), run('promoted')], workdir: '/w', elapsedMs: 6_400 });

    // Assess
    expect(line).toBe('Done in 6.4 s. Re-run with --workdir /w to see the same uploads come out unchanged.');
  });

  it('says it was the re-run when every upload came out unchanged', () => {
    // Act
    const line = closingLine({ runs: [run('unchanged'), run('unchanged')], workdir: '/w', elapsedMs: 5_000 });

    // Assess
    expect(line).toBe(
      'Done in 5.0 s. A re-run on /w: the same uploads came out unchanged and nothing was committed (promotion is idempotent).',
    );
    expect(line).not.toContain('Re-run with');
  });
});
