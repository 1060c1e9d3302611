/**
 * `npm run bench` — the performance figures of issue #7 in one run on one machine: a table on stdout,
 * progress on stderr, everything in bench/results.json (one key per figure: median, min, max, runs,
 * unit; plus the machine). Local servers on 127.0.0.1 only.
 *
 *   npm run bench                      full: 5 measured runs after 1 warm-up, all sizes
 *   npm run bench -- --quick           < 90 s: 3 runs, smaller sizes, without the scenarios that need
 *                                      minutes whatever the size (quick: false; name them with --only)
 *   npm run bench -- --only requests,cold-start     some scenarios only (ids below)
 *   npm run bench -- --only lambda-cold-start         the synthesized bundles' Init Duration (needs bubblewrap)
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunPlan } from './lib/figures';
import { Report, renderTable } from './lib/report';
import type { Scenario, ScenarioContext } from './lib/scenario';
import { apiVsClone } from './scenarios/api-vs-clone';
import { boardRender } from './scenarios/board-render';
import { coldStart } from './scenarios/cold-start';
import { endToEnd } from './scenarios/end-to-end';
import { feedbackIngress } from './scenarios/feedback-ingress';
import { githubThroughput } from './scenarios/github-throughput';
import { intakeThroughput } from './scenarios/intake-throughput';
import { lambdaColdStart } from './scenarios/lambda-cold-start';
import { ledgerStatus } from './scenarios/ledger-status';
import { requestsPerHost } from './scenarios/requests-per-host';
import { requestsPerPromotion } from './scenarios/requests-per-promotion';

const SCENARIOS: readonly Scenario[] = [
  requestsPerPromotion,
  requestsPerHost,
  apiVsClone,
  githubThroughput,
  intakeThroughput,
  coldStart,
  endToEnd,
  lambdaColdStart,
  boardRender,
  ledgerStatus,
  feedbackIngress,
];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: path.join(import.meta.dirname, 'results.json') },
  },
});
const quick = values.quick === true;
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length > 0) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
  );
  process.exit(2);
}

const plan: RunPlan = quick ? { quick, runs: 3, warmups: 1 } : { quick, runs: 5, warmups: 1 };
const cpu = cpus();
const machine = {
  cores: cpu.length,
  cpuModel: cpu[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};
const startedAt = new Date();
const report = new Report();
const log = (message: string) => process.stderr.write(`${message}\n`);
log(
  `chart-promoter bench (${quick ? 'quick' : 'full'}: ${plan.runs} measured runs after ${plan.warmups} warm-up) ` +
    `on ${machine.cores} × ${machine.cpuModel}, Node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
);
const context: ScenarioContext = { plan, sink: report, log, shared: {} };
const failures: { scenario: string; error: string }[] = [];
const chosen = SCENARIOS.filter((s) =>
  only === undefined ? !quick || s.quick !== false : only.includes(s.id),
);
const skipped = SCENARIOS.filter((s) => !chosen.includes(s) && only === undefined).map((s) => s.id);
if (skipped.length > 0) report.note(`quick mode leaves out ${skipped.join(', ')} (run them with --only)`);
for (const scenario of chosen) {
  log(scenario.title);
  report.section(scenario.title);
  const started = performance.now();
  try {
    await scenario.run(context);
    log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    // One broken scenario must not hide the others' figures: record it, carry on, exit 1 at the end.
    const message = error instanceof Error ? error.message : String(error);
    failures.push({ scenario: scenario.id, error: message });
    report.note(`FAILED ${scenario.id}: ${message.split('\n')[0]}`);
    log(`  FAILED after ${((performance.now() - started) / 1000).toFixed(1)} s: ${message}`);
  }
}
const durationS = Number(((Date.now() - startedAt.getTime()) / 1000).toFixed(1));
const loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));

const results = {
  command: `npm run bench${quick ? ' -- --quick' : ''}${only ? ` -- --only ${only.join(',')}` : ''}`,
  mode: quick ? 'quick' : 'full',
  runsPerFigure: plan.runs,
  warmups: plan.warmups,
  machine: { ...machine, loadAverageAtEnd },
  startedAt: startedAt.toISOString(),
  durationS,
  figures: Object.fromEntries(report.figures),
  targets: report.targets,
  failures,
  notes: report.notes,
  details: report.details,
};
await writeFile(values.out!, `${JSON.stringify(results, null, 2)}\n`);

process.stdout.write(
  `chart-promoter benchmarks: ${results.mode} mode, median of ${plan.runs} runs after ${plan.warmups} warm-up` +
    `${quick ? ' (quick: 3 runs, fewer sizes)' : ''}\n` +
    `machine: ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}; ` +
    `load average ${machine.loadAverageAtStart.join(' ')} at start, ${loadAverageAtEnd.join(' ')} at end; ${durationS} s\n\n`,
);
process.stdout.write(renderTable(report));
process.stdout.write(`\nresults: ${path.relative(process.cwd(), values.out!)}\n`);
if (failures.length > 0) process.exitCode = 1;
