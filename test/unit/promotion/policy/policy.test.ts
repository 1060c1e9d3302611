import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../../functions/promotion/policy/duration';
import { describePolicyIssues, parsePolicy } from '../../../../functions/promotion/policy/parse-policy';
import {
  chartPermission,
  convergeWithinOf,
  DEFAULT_CONVERGE_WITHIN_MS,
  environmentsAfter,
} from '../../../../functions/promotion/policy/policy';

const EXAMPLE = `# example
environments:
  - name: dev            # first = where new uploads go
    mode: direct
  - name: staging
    after: dev
    soak: 10m
    autoRollback: true
  - name: prod
    after: staging
    soak: 1h30m
    mode: pull-request
    charts: ["hello-*", "podinfo"]
charts: ["*"]
requireProvenance: false
retain: 3
`;

const issuesOf = (text: string) => {
  const parsed = parsePolicy(text);
  if (parsed.ok) throw new Error('expected issues');
  return parsed.issues;
};

describe('parsePolicy', () => {
  it('reads the documented example into typed environments', () => {
    // Act
    const parsed = parsePolicy(EXAMPLE);
    // Assess
    if (!parsed.ok) throw new Error(describePolicyIssues(parsed.issues));
    const { policy } = parsed;
    expect(policy.environments.map((e) => [e.name, e.mode, e.after, e.soakMs, e.autoRollback])).toEqual([
      ['dev', 'direct', undefined, 0, false],
      ['staging', 'direct', 'dev', 600_000, true],
      ['prod', 'pull-request', 'staging', 5_400_000, false],
    ]);
    expect(policy).toMatchObject({ charts: ['*'], retain: 3, requireProvenance: false, source: 'file' });
    expect(environmentsAfter(policy, 'dev').map((e) => e.name)).toEqual(['staging']);
  });

  it('lists every problem with its line and column', () => {
    // Prepare
    const text = `environments:
  - name: dev
    after: prod
  - name: Staging
    after: dev
    soak: 10 minutes
  - name: prod
    after: qa
    colour: blue
  - name: dev
    after: prod
retain: -1
`;
    // Act
    const issues = issuesOf(text);
    // Assess: zod shape errors come first (name, retain, unknown key), each on its own line.
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line: 4,
          path: 'environments[1].name',
          message: expect.stringContaining('DNS-1123'),
        }),
        expect.objectContaining({
          line: 9,
          column: 5,
          path: 'environments[2].colour',
          message: 'unknown key "colour"',
        }),
        expect.objectContaining({ line: 12, path: 'retain' }),
      ]),
    );
  });

  it('reports ordering, duplicate and duration errors at their lines once the shape is right', () => {
    // Prepare
    const text = `environments:
  - name: dev
    after: prod
  - name: staging
    after: dev
    soak: 10 minutes
  - name: prod
    after: qa
  - name: dev
    after: prod
  - name: late
    after: later
  - name: later
    after: dev
`;
    // Act
    const issues = issuesOf(text);
    // Assess
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [3, 'environments[0].after'],
      [6, 'environments[1].soak'],
      [8, 'environments[2].after'],
      [9, 'environments[3].name'],
      [12, 'environments[4].after'],
    ]);
    expect(issues[0]!.message).toContain('first environment');
    expect(issues[2]!.message).toContain('names no environment');
    expect(issues[4]!.message).toContain('EARLIER');
    expect(describePolicyIssues(issues)).toContain('line 6, column 11: environments[1].soak');
  });

  it('reports YAML syntax errors with their line, and a gated first environment', () => {
    expect(issuesOf('environments:\n  - name: dev\n   mode: [direct\n')[0]).toMatchObject({
      line: expect.any(Number),
    });
    expect(issuesOf('environments:\n  - name: dev\n    mode: pull-request\n')).toEqual([
      expect.objectContaining({ line: 3, path: 'environments[0].mode' }),
    ]);
    expect(issuesOf('charts: ["*"]\n')).toEqual([expect.objectContaining({ path: 'environments', line: 1 })]);
  });
});

describe('parsePolicy: convergeWithin', () => {
  it('reads convergeWithin per environment, and leaves it to the 15m default when absent', () => {
    // Act
    const parsed = parsePolicy(
      'environments:\n  - name: dev\n    convergeWithin: 90s\n  - name: prod\n    after: dev\n',
    );
    // Assess
    if (!parsed.ok) throw new Error(describePolicyIssues(parsed.issues));
    const [dev, prod] = parsed.policy.environments;
    expect(dev!.convergeWithinMs).toBe(90_000);
    expect(prod!.convergeWithinMs).toBeUndefined();
    expect(convergeWithinOf(prod!)).toBe(DEFAULT_CONVERGE_WITHIN_MS);
    expect(DEFAULT_CONVERGE_WITHIN_MS).toBe(15 * 60_000);
  });

  it.each([
    ['0s', 'is not a positive duration'],
    ['0', 'must be a duration'],
    ['soon', 'is not a positive duration'],
    ['15', 'must be a duration'],
  ])('refuses convergeWithin: %s at its line', (value, message) => {
    // Act
    const parsed = parsePolicy(`environments:\n  - name: dev\n    convergeWithin: ${value}\n`);
    // Assess
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual([
      expect.objectContaining({
        line: 3,
        path: 'environments[0].convergeWithin',
        message: expect.stringContaining(message),
      }),
    ]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', '10 m', '-5m', '1d', 'm'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('chartPermission', () => {
  it('needs both the global and the environment allow-list to admit the chart', () => {
    const parsed = parsePolicy(EXAMPLE.replace('charts: ["*"]', 'charts: ["hello-*", "podinfo", "web"]'));
    if (!parsed.ok) throw new Error('invalid');
    const [dev, , prod] = parsed.policy.environments;
    expect(chartPermission(parsed.policy, dev!, 'web')).toEqual({ allowed: true });
    expect(chartPermission(parsed.policy, prod!, 'web')).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("prod's charts"),
    });
    expect(chartPermission(parsed.policy, prod!, 'hello-world')).toEqual({ allowed: true });
    expect(chartPermission(parsed.policy, dev!, 'other')).toMatchObject({ allowed: false });
  });
});
