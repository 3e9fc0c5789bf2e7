/**
 * The demo server's download figures: counters, and the last few downloads with their Range
 * header cut short. Fixed size whatever the traffic: a log of every request, Range verbatim,
 * once grew the server by ~50 kB per GET (issue 20, F5).
 */

/** One download as /api/stats shows it. */
export interface Served {
  id: string;
  /** The Range header (cut to {@link DownloadStats.rangeChars} characters and a note), or `all`. */
  range: string;
  /** Bytes the answer carried (its Content-Length), whether or not the client read them all. */
  bytes: number;
}

/** What /api/stats answers (besides the settings). */
export interface StatsAnswer {
  /** Downloads answered with a body; those that carried a Range header; their bytes. */
  downloads: { requests: number; ranged: number; bytes: number };
  /** The last downloads, oldest first. */
  served: Served[];
}

/** Download counters and a bounded ring of the last downloads. */
export class DownloadStats {
  private requests = 0;
  private ranged = 0;
  private bytes = 0;
  private readonly ring: Served[] = [];
  private next = 0;

  /**
   * @param keep - how many recent downloads to keep
   * @param rangeChars - how much of a Range header to keep (the header itself may be ~16 kB)
   */
  constructor(
    readonly keep = 64,
    readonly rangeChars = 64,
  ) {}

  /** Counts one answered download (200 or 206 with a body). */
  record(id: string, range: string | undefined, bytes: number): void {
    this.requests++;
    this.bytes += bytes;
    if (range !== undefined) this.ranged++;
    const entry = { id, range: range === undefined ? 'all' : this.cut(range), bytes };
    if (this.ring.length < this.keep) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.keep;
  }

  /** The counters and the kept downloads, oldest first. */
  toJSON(): StatsAnswer {
    const served =
      this.ring.length < this.keep ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    return { downloads: { requests: this.requests, ranged: this.ranged, bytes: this.bytes }, served };
  }

  private cut(range: string): string {
    if (range.length <= this.rangeChars) return range;
    // A copy: V8's slice of a long string may keep the whole header alive behind it.
    const head = Array.from(range.slice(0, this.rangeChars)).join('');
    return `${head}… (${range.length} chars)`;
  }
}
