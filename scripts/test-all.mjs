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

/**
 * A step runs `command`, or the commands of `together` at the same time (each one's output is
 * held and printed whole when it ends, so that no two runs' lines interleave).
 * @type {{ name: string, command?: string, setup?: boolean, together?: { name: string, command: string }[] }[]}
 */
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
  // Firefox and WebKit at once: each is one browser process driven from one Vitest process,
  // and neither keeps both cores busy alone (their own Vitest runs, so each prints its Tests line).
  {
    name: 'Vitest: firefox, webkit',
    together: [
      { name: 'Vitest: firefox', command: 'npm run test:firefox' },
      { name: 'Vitest: webkit', command: 'npm run test:webkit' },
    ],
  },
  { name: 'demo e2e (Playwright)', command: 'npm run test:e2e' },
  // The same flows in Firefox and WebKit (e2e/engines), one browser each, side by side.
  { name: 'demo e2e: firefox + webkit', command: 'npm run test:e2e:engines' },
  { name: 'Node 22, 24, 26', command: 'node scripts/test-node-versions.mjs' },
];

if (process.argv.includes('--list')) {
  for (const s of STEPS) {
    if (s.together)
      for (const t of s.together) console.log(`${t.name}: ${t.command} (beside the others of "${s.name}")`);
    else console.log(`${s.name}: ${s.command}`);
  }
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

/** Runs `command` with its output held; prints it whole at the end. Resolves to its code and wall seconds. */
const runHeld = (name, command) =>
  new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const held = [];
    child.stdout.on('data', (b) => held.push(b));
    child.stderr.on('data', (b) => held.push(b));
    child.on('close', (code, signal) => {
      console.log(`\ntest-all: ${name} (${command}), its output:`);
      process.stdout.write(Buffer.concat(held));
      resolve({ code: code ?? (signal ? 1 : 0), wall: (Date.now() - t0) / 1000 });
    });
  });

const rows = [];
let failed = false;
const started = Date.now();
for (const step of STEPS) {
  const t0 = Date.now();
  const c0 = childCpu();
  let code;
  if (step.together) {
    console.log(`\ntest-all: ${step.name}, at once: ${step.together.map((t) => t.command).join(' & ')}`);
    const done = await Promise.all(step.together.map((t) => runHeld(t.name, t.command)));
    code = done.find((d) => d.code !== 0)?.code ?? 0;
    for (const [i, d] of done.entries()) {
      rows.push({ step: step.together[i], code: d.code, wall: d.wall, cpu: Number.NaN, part: true });
    }
  } else {
    console.log(`\ntest-all: ${step.name}: ${step.command}`);
    code = await run(step.command);
  }
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
    `  ${pad(r.part ? `  ${r.step.name}` : r.step.name, 28)}${pad(r.code === 0 ? 'ok' : `exit ${r.code}`, 10)}${pad(r.wall.toFixed(0), 9)}${cpu}`,
  );
}
console.log(`  ${pad('total', 38)}${total.toFixed(0)}`);
const ran = rows.filter((r) => !r.part);
if (ran.length < STEPS.length) console.log(`test-all: stopped after "${ran.at(-1)?.step.name}" failed`);
process.exit(failed ? 1 : 0);
