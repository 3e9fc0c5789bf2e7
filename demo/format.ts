/**
 * How the page writes sizes, durations and rates. Plain functions, no DOM, so the e2e tests
 * can compute the exact text the page shows from the figures the server reports.
 */

/** Bytes in binary units: `512 B`, `7.25 KiB`, `64.0 MiB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** A duration for an ETA: `8 s`, `2 min 5 s`; `–` when unknown. */
export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

/** A rate in decimal megabytes per second, as network figures are given: `83.0 MB/s`. */
export function rate(n: number, s: number): string {
  return `${(n / Math.max(s, 1e-3) / 1e6).toFixed(1)} MB/s`;
}

/** A time of day of an ISO date, for telling two uploads of one name apart: `14:03:27`. */
export function clock(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString('en-GB', { hour12: false });
}
