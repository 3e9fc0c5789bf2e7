/**
 * The progress line on stderr: bytes, MB/s, and percent and ETA when the input size is known.
 * Only when stderr is a terminal and `--quiet` is off; silent otherwise.
 */

const REDRAW_MS = 100;

/** A progress line that redraws itself at most every 100 ms. */
export class Progress {
  private readonly enabled: boolean;
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;
  private bytes = 0;

  /**
   * @param quiet - `--quiet` was given
   * @param total - input bytes, when known
   */
  constructor(
    quiet: boolean,
    private readonly total: number | undefined,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  /** Records the input bytes processed so far. */
  update(bytes: number): void {
    this.bytes = bytes;
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.draw(now);
  }

  /** Draws the final state and ends the line. */
  done(): void {
    if (!this.enabled) return;
    this.draw(performance.now());
    process.stderr.write('\n');
    this.drawn = false;
  }

  /** Erases the line (before an error message). */
  clear(): void {
    if (this.enabled && this.drawn) process.stderr.write('\r\x1b[K');
    this.drawn = false;
  }

  private draw(now: number): void {
    const seconds = Math.max((now - this.started) / 1000, 1e-3);
    const rate = this.bytes / seconds;
    let line = `${formatBytes(this.bytes)}  ${(rate / 1e6).toFixed(1)} MB/s`;
    if (this.total !== undefined && this.total > 0) {
      const pct = Math.min(100, (100 * this.bytes) / this.total);
      line += `  ${pct.toFixed(0)}%`;
      if (rate > 0 && this.bytes < this.total) line += `  ETA ${formatDuration((this.total - this.bytes) / rate)}`;
    }
    process.stderr.write(`\r\x1b[K${line}`);
    this.drawn = true;
  }
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

function formatDuration(s: number): string {
  const t = Math.ceil(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
