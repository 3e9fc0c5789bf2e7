/**
 * Helpers of the speed e2e (e2e/speed.spec.ts): CPU time of process trees from /proc (Linux),
 * the demo of an earlier revision built apart, medians.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const HZ = 100;

/** Parent of each live process. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(fields[1]));
    } catch {
      // gone between the listing and the read
    }
  }
  return out;
}

/** `root` and every live process below it, except the trees of `except`. */
export function tree(rootPid: number, except: number[] = []): number[] {
  const ppid = parents();
  const children = new Map<number, number[]>();
  for (const [pid, parent] of ppid) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const out: number[] = [];
  const todo = [rootPid];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    if (except.includes(pid)) continue;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** User + system CPU seconds of these processes (all their threads), by pid. */
export function cpu(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(fields[11]) + Number(fields[12])) / HZ); // utime, stime
    } catch {
      // exited
    }
  }
  return out;
}

/** CPU seconds a process tree spent between two samples (processes new in `after` count whole). */
export function spent(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, t] of after) s += t - (before.get(pid) ?? 0);
  return s;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * The library and demo of revision `rev`, built in a temporary folder (its page, its server,
 * the library's dist/ its server imports), with this checkout's node_modules.
 *
 * @returns the folder; its server is `demo/dist-server/server.js` there
 */
export function buildRevision(rev: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-before-'));
  const archive = execFileSync('git', ['-C', root, 'archive', rev], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  const run = (args: string[]) =>
    execFileSync(process.execPath, [vite, 'build', ...args], { cwd: dir, stdio: 'ignore' });
  run([]); // the library (dist/node.js, which the old server imports as stream-v2)
  run(['--config', 'demo/vite.config.ts']);
  run(['--config', 'demo/vite.server.config.ts']);
  return dir;
}
