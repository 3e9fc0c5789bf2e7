#!/usr/bin/env node
/**
 * `npm test`: every step of the test command, in order, and a closing table of what each took
 * (wall seconds, and CPU seconds of its processes where Linux's /proc says so), so that CI time
 * has a per-step account (issue 19 asks what each engine adds).
 *
 * The set-up steps (browsers, build, API report, types, lint) stop the run at their first
 * failure: nothing after them would mean anything. The test runners all run, even after one
 * failed, so one run shows every failure; the exit code is 1 if any step failed.
 * `node scripts/test-all.mjs --list` prints the steps.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** @type {{ name: string, command: string, setup?: boolean }[]} */
const STEPS = [
  { name: 'browsers', command: 'node scripts/find-browsers.mjs', setup: true },
  { name: 'build', command: 'npm run build', setup: true },
  { name: 'API report', command: 'node scripts/api-report.mjs', setup: true },
  { name: 'typecheck', command: 'npm run typecheck', setup: true },
  { name: 'lint', command: 'npm run lint', setup: true },
  { name: 'package lint', command: 'npm run lint:package', setup: true },
  // Two Node test files at a time beside the Chromium ones: most Node files wait on child
  // processes, sockets and timers, so two share the 2 cores well (426 → 285 s here, all passing).
  { name: 'Vitest: node + chromium', command: 'npx vitest run --maxWorkers=2' },
  { name: 'Vitest: firefox', command: 'npm run test:firefox' },
  { name: 'Vitest: webkit', command: 'npm run test:webkit' },
  { name: 'demo e2e (Playwright)', command: 'npm run test:e2e' },
  // The same flows in Firefox and WebKit (e2e/engines), one browser each, side by side.
  { name: 'demo e2e: firefox + webkit', command: 'npm run test:e2e:engines' },
  { name: 'Node 22, 24, 26', command: 'node scripts/test-node-versions.mjs' },
];

if (process.argv.includes('--list')) {
  for (const s of STEPS) console.log(`${s.name}: ${s.command}`);
  process.exit(0);
}

/** CPU seconds of the children this process has waited for (Linux: /proc/self/stat), else NaN. */
function childCpu() {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, in USER_HZ (100 on Linux)
  } catch {
    return Number.NaN;
  }
}

const run = (command) =>
  new Promise((resolve) => {
    const child = spawn(command, { shell: true, stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const rows = [];
let failed = false;
const started = Date.now();
for (const step of STEPS) {
  console.log(`\ntest-all: ${step.name}: ${step.command}`);
  const t0 = Date.now();
  const c0 = childCpu();
  const code = await run(step.command);
  rows.push({ step, code, wall: (Date.now() - t0) / 1000, cpu: childCpu() - c0 });
  if (code !== 0) {
    failed = true;
    if (step.setup) break;
  }
}

const total = (Date.now() - started) / 1000;
const pad = (s, n) => String(s).padEnd(n);
console.log('\ntest-all: what each step took');
console.log(`  ${pad('step', 28)}${pad('result', 10)}${pad('wall s', 9)}CPU s`);
for (const r of rows) {
  const cpu = Number.isNaN(r.cpu) ? '-' : r.cpu.toFixed(0);
  console.log(
    `  ${pad(r.step.name, 28)}${pad(r.code === 0 ? 'ok' : `exit ${r.code}`, 10)}${pad(r.wall.toFixed(0), 9)}${cpu}`,
  );
}
console.log(`  ${pad('total', 38)}${total.toFixed(0)}`);
if (rows.length < STEPS.length) console.log(`test-all: stopped after "${rows.at(-1)?.step.name}" failed`);
process.exit(failed ? 1 : 0);
