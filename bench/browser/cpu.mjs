/**
 * CPU seconds of every thread of a process tree (run.mjs: its own, Chromium included), by
 * process kind and thread name: the page's main thread is `renderer:main`, its Web Workers
 * `renderer:DedicatedWorker`. Linux only (/proc); elsewhere it answers an empty record.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TICK = 100; // USER_HZ on Linux

/** Pids of `root` and all its descendants. */
function tree(root) {
  const parent = new Map();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {} // gone meanwhile
  }
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const [p, pp] of parent) if (pp === pids[i]) pids.push(p);
  return pids;
}

/**
 * `renderer`, `gpu-process`, ... from Chromium's --type=; `renderer` for a Firefox tab's content
 * process (`-contentproc ... tab`) and WebKit's WebKitWebProcess; `browser` for the engine's own
 * process; else `other`.
 */
function kind(pid) {
  try {
    // Chromium rewrites its argv (process title): one string, arguments joined by spaces.
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const type = /--type=([\w-]+)/.exec(cmd);
    if (type) return type[1];
    if (cmd.includes('-contentproc')) return cmd.replace(/\0+$/, '').endsWith('tab') ? 'renderer' : 'content-other';
    if (/WebKitWebProcess/.test(cmd)) return 'renderer';
    return /chrom|firefox|MiniBrowser/.test(cmd) ? 'browser' : 'other';
  } catch {
    return 'other';
  }
}

/**
 * CPU seconds over the process tree of `root`, by process kind and thread name, e.g.
 * `renderer:DedicatedWorker` (a process's main thread is named after its executable).
 */
export function cpuByThread(root) {
  const out = {};
  if (!root || !existsSync('/proc/self/task')) return out;
  for (const pid of tree(root)) {
    const k = kind(pid);
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {}
    for (const t of tasks) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${k}:${t === String(pid) ? 'main' : name}`;
        out[key] = (out[key] ?? 0) + (Number(f[11]) + Number(f[12])) / TICK;
      } catch {}
    }
  }
  return out;
}

/** Resident memory (VmRSS, summed) of the descendants of `root` (the browser's processes), in bytes; 0 off Linux. */
export function rssOf(root) {
  if (!root || !existsSync('/proc/self/status')) return 0;
  let total = 0;
  for (const pid of tree(root).slice(1)) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += m ? Number(m[1]) * 1024 : 0;
    } catch {}
  }
  return total;
}
