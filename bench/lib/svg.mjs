/**
 * A dependency-free SVG chart: horizontal grouped bars with labels, a legend, a value at the
 * end of every bar and a linear axis from 0. Enough for the bench's figures; no browser needed.
 */

const COLORS = ['#2f6fb3', '#e08a1e', '#3c9a4e', '#b8433c', '#7a58a8', '#8a6b3d'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** Escapes text for SVG. */
export const esc = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `n` ticks up to `max`. */
export function tickStep(max, n = 5) {
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

const num = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(2));

/**
 * Renders a grouped horizontal bar chart.
 * @param chart.title - the heading
 * @param chart.unit - the axis title (e.g. "MB/s of plaintext, higher is better")
 * @param chart.groups - one label per group (a row of bars)
 * @param chart.series - `{ name, values }`, `values[i]` for group i (undefined: no bar, "n/a")
 * @param chart.note - an optional line under the axis (source, machine)
 * @returns the SVG document as a string
 */
export function barChart({ title, unit, groups, series, note, width = 760 }) {
  const left = Math.max(120, 8 + 7 * Math.max(...groups.map((g) => String(g).length)));
  const right = 56;
  const bar = 14;
  const gap = 3;
  const groupGap = 14;
  const top = 58;
  const groupH = series.length * (bar + gap) - gap;
  const plotH = groups.length * (groupH + groupGap) - groupGap;
  const height = top + plotH + 62 + (note ? 16 : 0);
  const plotW = width - left - right;
  const values = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const step = tickStep(Math.max(1e-9, ...values));
  const max = Math.ceil(Math.max(1e-9, ...values) / step) * step;
  const x = (v) => left + (v / max) * plotW;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="20" font-size="15" font-weight="600">${esc(title)}</text>`,
  ];
  let lx = left;
  series.forEach((s, i) => {
    out.push(`<rect x="${lx}" y="32" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 16}" y="42">${esc(s.name)}</text>`);
    lx += 16 + 7 * String(s.name).length + 18;
  });
  for (let t = 0; t <= max + step / 2; t += step) {
    const tx = x(t).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${top + plotH + 4}" stroke="#ddd"/>`);
    out.push(
      `<text x="${tx}" y="${top + plotH + 18}" text-anchor="middle" fill="#555">${Number(t.toPrecision(6))}</text>`,
    );
  }
  groups.forEach((g, gi) => {
    const gy = top + gi * (groupH + groupGap);
    out.push(`<text x="${left - 8}" y="${(gy + groupH / 2 + 4).toFixed(1)}" text-anchor="end">${esc(g)}</text>`);
    series.forEach((s, si) => {
      const v = s.values[gi];
      const y = gy + si * (bar + gap);
      if (!Number.isFinite(v)) {
        out.push(`<text x="${left + 4}" y="${y + bar - 3}" fill="#888" font-size="10">n/a</text>`);
        return;
      }
      const w = Math.max(0.5, x(v) - left).toFixed(1);
      const color = COLORS[si % COLORS.length];
      out.push(
        `<rect x="${left}" y="${y}" width="${w}" height="${bar}" fill="${color}"><title>${esc(`${g}, ${s.name}: ${num(v)}`)}</title></rect>`,
      );
      out.push(
        `<text x="${(left + Number(w) + 4).toFixed(1)}" y="${y + bar - 3}" font-size="10">${esc(num(v))}</text>`,
      );
    });
  });
  out.push(`<line x1="${left}" y1="${top - 4}" x2="${left}" y2="${top + plotH + 4}" stroke="#333"/>`);
  out.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 38}" text-anchor="middle" fill="#333">${esc(unit)}</text>`,
  );
  if (note) out.push(`<text x="${left}" y="${top + plotH + 56}" fill="#777" font-size="10">${esc(note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
