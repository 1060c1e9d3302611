import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * What the Lambda compositions parse when their module is imported: functions/config/promote-config.ts
 * (repository; the helm check off, no layer here), the feedback endpoint's config (its webhook key's
 * secret ARN and the feedback queue it puts accepted events on) and the feedback worker's (the promote
 * settings and the release ledger table).
 */
export const FUNCTION_ENV: Readonly<Record<string, string>> = {
  CHART_PROMOTER_REPOSITORY: 'o/r',
  CHART_PROMOTER_HELM_RENDER_CHECK: 'false',
  CHART_PROMOTER_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench',
  CHART_PROMOTER_FEEDBACK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench.fifo',
  CHART_PROMOTER_LEDGER_TABLE: 'bench-ledger',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_SERVICE_NAME: 'chart-promoter',
  POWERTOOLS_METRICS_NAMESPACE: 'ChartPromoter',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * Imports `outfile` (a bundle's index.mjs) in a fresh `node` process with FUNCTION_ENV and no
 * NODE_OPTIONS, as the function is deployed, then runs `after` (module code, e.g. writing a figure
 * to stdout). Resolves with the process's stdout and its wall time (spawn → exit).
 */
export const importInFreshNode = (outfile: string, before = '', after = '') =>
  new Promise<{ stdout: string; processMs: number }>((resolve, reject) => {
    const script = `${before}await import(${JSON.stringify(pathToFileURL(outfile).href)});${after}`;
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, ...FUNCTION_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`import of ${outfile} failed (${code}): ${err.slice(-1500)}`));
      else resolve({ stdout: out, processMs: performance.now() - started });
    });
  });
