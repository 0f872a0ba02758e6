// Horizontal bar chart with one row per named band: stereo width, correlation, band balance against a target.

import { s } from "../dom.js";
import { bandLabel, num } from "../format.js";
import { frame, legend, linear, ticks } from "./frame.js";

const ROW = 26;

/**
 * rows: [{ band, value, ref?, target?: {low, high} }]; `domain` [lo, hi]; bars grow from `zero`.
 * `ref` draws a thin tick (reference track); `target` draws a shaded range behind the bar.
 */
export function bandChart({ title, desc, rows, domain, zero = 0, unit = "", step, digits = 0, cls = "", width = 360, negative = false }) {
  const hasRef = rows.some((r) => Number.isFinite(r.ref));
  const hasTarget = rows.some((r) => r.target);
  const bottom = hasRef || hasTarget ? 52 : 30;
  const height = 34 + rows.length * ROW + bottom;
  const chart = frame({ width, height, margin: { top: 28, right: 16, bottom, left: 78 }, title, desc });
  const { plot } = chart;
  chart.layer("labels").append(s("text", { x: 8, y: 16, class: "chart-title", text: unit ? `${title} (${unit})` : title }));
  const x = linear(domain, [plot.x0, plot.x1]);
  for (const v of ticks(domain[0], domain[1], step || (domain[1] - domain[0]) / 4)) {
    const px = x(v);
    chart.layer("grid").append(s("line", { x1: px, x2: px, y1: plot.y1, y2: plot.y0, class: v === zero ? "grid zero" : "grid" }));
    chart.layer("labels").append(
      s("text", { x: px, y: plot.y0 + 16, class: "tick", "text-anchor": "middle", text: num(v, { digits }) }),
    );
  }
  let drawn = 0;
  rows.forEach((row, i) => {
    const top = plot.y1 + 6 + i * ROW;
    chart.layer("labels").append(s("text", { x: plot.x0 - 6, y: top + 13, class: "tick", "text-anchor": "end", text: bandLabel(row.band) }));
    if (row.target && (Number.isFinite(row.target.low) || Number.isFinite(row.target.high))) {
      const lo = x(clamp(Number.isFinite(row.target.low) ? row.target.low : domain[0], domain));
      const hi = x(clamp(Number.isFinite(row.target.high) ? row.target.high : domain[1], domain));
      const rect = s("rect", { x: lo, y: top - 2, width: Math.max(1, hi - lo), height: ROW - 6, class: "target-range", "data-key": "zone" });
      rect.append(s("title", { text: `target ${num(row.target.low, { digits })} to ${num(row.target.high, { digits })} ${unit}` }));
      chart.layer("refs").append(rect);
    }
    if (Number.isFinite(row.value)) {
      const a = x(clamp(zero, domain));
      const b = x(clamp(row.value, domain));
      // `negative`: a value below zero has its own colour (negative correlation is a warning, not a smaller bar)
      const below = negative && row.value < 0 ? " neg" : "";
      const bar = s("rect", { x: Math.min(a, b), y: top + 2, width: Math.max(1, Math.abs(b - a)), height: ROW - 14, class: `bar ${cls}${below}` });
      bar.append(s("title", { text: `${bandLabel(row.band)}: ${num(row.value, { digits: digits + 1, unit })}` }));
      chart.layer("data").append(bar);
      drawn += 1;
    } else {
      chart.layer("data").append(s("text", { x: plot.x0 + 4, y: top + 13, class: "tick muted", text: "not measurable" }));
    }
    if (Number.isFinite(row.ref)) {
      const px = x(clamp(row.ref, domain));
      chart.layer("marks").append(s("line", { x1: px, x2: px, y1: top, y2: top + ROW - 8, class: "ref-tick", "data-key": "reference" }));
    }
  });
  const items = [];
  if (hasRef) items.push({ label: "reference", cls: "reference-tick", key: "reference" });
  if (hasTarget) items.push({ label: "genre target", cls: "range", key: "zone" });
  if (negative && rows.some((r) => Number.isFinite(r.value) && r.value < 0)) items.push({ label: "below 0: out of phase", cls: "negative" });
  legend(chart, items);
  chart.svg.dataset.points = String(drawn);
  return chart.svg;
}

function clamp(v, [lo, hi]) {
  return Math.min(Math.max(v, lo), hi);
}

/** Join two BandValue lists by band name. */
export function byBand(list) {
  return new Map((list || []).map((b) => [b.band, b.value]));
}
