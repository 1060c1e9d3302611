import { createRequire } from 'node:module';
import { satisfies } from 'semver';

/**
 * The Node.js versions chart-promoter supports: package.json `engines.node`, the one place they are
 * written (README "Node.js versions"; `.ci/run` reads the same field). 22.12 is the floor the
 * dependencies set: content-type 3 (via @octokit/request) needs >= 22, vite 8 (vitest's) ^20.19 or
 * >= 22.12; the AWS SDK drops Node 20 in its releases after the first week of January 2027.
 */
export const supportedNode = (): string => {
  const { engines } = createRequire(import.meta.url)('../package.json') as { engines: { node: string } };
  return engines.node;
};

/** The warning to print on a Node.js outside the supported range, or undefined. */
export const nodeSupportWarning = (version: string, range: string = supportedNode()): string | undefined =>
  satisfies(version, range)
    ? undefined
    : `chart-promoter: warning: Node.js ${version} is not supported (supported: ${range}). ` +
      '`npx chart-promoter` and the npm scripts run on the Node 22 that `npm ci` installs ' +
      '(node_modules/.bin/node); otherwise upgrade Node.js.\n';
