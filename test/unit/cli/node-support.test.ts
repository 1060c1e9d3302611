import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { nodeSupportWarning, supportedNode } from '../../../cli/node-support';

describe('the supported Node.js versions (package.json engines, checked by bin/chart-promoter)', () => {
  it('reads them from package.json engines, where npm and .ci/run read them too', async () => {
    // Prepare
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8'));

    // Act + Assess
    expect(supportedNode()).toBe(pkg.engines.node);
    expect(supportedNode()).toBe('>=22.12');
  });

  it.each(['22.12.0', '22.23.5', '24.3.0'])('stays quiet on Node %s', (version) => {
    expect(nodeSupportWarning(version)).toBeUndefined();
  });

  it.each(['20.20.2', '22.11.0'])(
    'warns on Node %s, saying what is supported and how to get it',
    (version) => {
      expect(nodeSupportWarning(version)).toBe(
        `chart-promoter: warning: Node.js ${version} is not supported (supported: >=22.12). ` +
          '`npx chart-promoter` and the npm scripts run on the Node 22 that `npm ci` installs ' +
          '(node_modules/.bin/node); otherwise upgrade Node.js.\n',
      );
    },
  );

  it('runs the tests themselves on a supported Node (the one npm put first on PATH)', () => {
    expect(nodeSupportWarning(process.versions.node)).toBeUndefined();
  });
});
