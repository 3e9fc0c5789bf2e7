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

/** Log-scale ticks (1, 2, 5 × 10^k) from `lo` to `hi`. */
function logTicks(lo, hi) {
  const ticks = [];
  for (let p = 10 ** Math.floor(Math.log10(lo)); p <= hi * 1.0001; p *= 10)
    for (const m of [1, 2, 5]) if (m * p >= lo * 0.9999 && m * p <= hi * 1.0001) ticks.push(m * p);
  return ticks;
}

/**
 * Renders a line chart with both axes on a log scale (many-streams figures: N from 1 to 512).
 * @param chart.xs - the x values (all series share them)
 * @param chart.series - `{ name, values }`, `values[i]` at `xs[i]` (undefined: no point)
 * @returns the SVG document as a string
 */
export function logLineChart({ title, xLabel, yLabel, xs, series, note, width = 860, height = 420 }) {
  const left = 64;
  const right = 250;
  const top = 40;
  const bottom = 58 + (note ? 16 : 0);
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const ys = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const yLo = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yHi = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const [xLo, xHi] = [Math.min(...xs), Math.max(...xs)];
  const x = (v) => left + ((Math.log(v) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo) || 1)) * plotW;
  const y = (v) => top + plotH - ((Math.log(v) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo) || 1)) * plotH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="600">${esc(title)}</text>`,
  ];
  for (const t of logTicks(yLo, yHi)) {
    const ty = y(t).toFixed(1);
    out.push(`<line x1="${left}" y1="${ty}" x2="${left + plotW}" y2="${ty}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${left - 6}" y="${Number(ty) + 4}" text-anchor="end" fill="#555">${num(t)}</text>`);
  }
  for (const t of xs) {
    const tx = x(t).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${top + plotH}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${tx}" y="${top + plotH + 16}" text-anchor="middle" fill="#555">${t}</text>`);
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = xs.map((v, k) => [v, s.values[k]]).filter(([, v]) => Number.isFinite(v) && v > 0);
    const d = pts.map(([a, b], k) => `${k ? 'L' : 'M'}${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [a, b] of pts)
      out.push(
        `<circle cx="${x(a).toFixed(1)}" cy="${y(b).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name}, N=${a}: ${num(b)}`)}</title></circle>`,
      );
    const ly = top + 10 + i * 18;
    out.push(`<rect x="${left + plotW + 14}" y="${ly - 9}" width="12" height="3" fill="${color}"/>`);
    out.push(`<text x="${left + plotW + 30}" y="${ly - 4}">${esc(s.name)}</text>`);
  });
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 36}" text-anchor="middle" fill="#333">${esc(xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`,
  );
  if (note) out.push(`<text x="${left}" y="${top + plotH + 54}" fill="#777" font-size="10">${esc(note)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
