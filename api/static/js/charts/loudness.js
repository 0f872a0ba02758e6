// Short-term loudness over time, with the integrated level, platform targets, clip/over markers and section bands.

import { s } from "../dom.js";
import { clock, num } from "../format.js";
import { frame, legend, wideSize, linear, pathData, ticks, xCaption, xGrid, yGrid } from "./frame.js";

/** Platforms grouped by reference level: [{lufs, names}] so -14 LUFS is drawn once for all who share it. */
export function platformTargets(platforms) {
  const byLevel = new Map();
  for (const p of platforms || []) {
    if (!Number.isFinite(p.reference_lufs)) continue;
    const names = byLevel.get(p.reference_lufs) || [];
    names.push(p.platform);
    byLevel.set(p.reference_lufs, names);
  }
  return [...byLevel.entries()].sort((a, b) => b[0] - a[0]).map(([lufs, names]) => ({ lufs, names }));
}

function yDomain(values, extras) {
  const finite = [...values, ...extras].filter(Number.isFinite);
  if (!finite.length) return [-36, 0];
  const lo = Math.max(-72, Math.floor((Math.min(...finite) - 3) / 6) * 6);
  const hi = Math.min(6, Math.ceil((Math.max(...finite) + 2) / 6) * 6);
  return [lo, Math.max(hi, lo + 12)];
}

function timeStep(duration, maxTicks) {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600]) if (duration / step <= maxTicks) return step;
  return 1200;
}

function drawSections(chart, sections, x) {
  const { plot } = chart;
  sections.forEach((sec, i) => {
    const x0 = x(sec.start_s);
    const x1 = x(sec.end_s);
    chart.layer("bands").append(
      s("rect", { x: x0, y: plot.y1, width: Math.max(0, x1 - x0), height: plot.y0 - plot.y1, class: `section s${i % 2}` }),
    );
    if (x1 - x0 > 30) {
      chart.layer("labels").append(s("text", { x: x0 + 4, y: plot.y0 - 6, class: "section-label", text: sec.label }));
    }
  });
}

function drawMarkers(chart, events, x, cls, label) {
  const { plot } = chart;
  for (const ev of events) {
    const px = x(ev.time_s);
    const mark = s("line", { x1: px, x2: px, y1: plot.y1, y2: plot.y1 + 12, class: `marker ${cls}` });
    mark.append(s("title", { text: `${label} at ${clock(ev.time_s)}` }));
    chart.layer("marks").append(mark);
  }
}

/**
 * Build the loudness timeline SVG from an analysis dict (snake_case, as in analysisJson). `width` is the pixel
 * width it will be shown at, so text keeps its size on a phone.
 */
export function loudnessChart(analysis, { width = 720 } = {}) {
  const loud = analysis.loudness || {};
  const tl = loud.short_term_timeline || { times_s: [], values: [] };
  const duration = (analysis.file && analysis.file.duration_s) || tl.times_s[tl.times_s.length - 1] || 1;
  const targets = platformTargets(analysis.platforms);
  const integrated = loud.integrated_lufs;
  const chart = frame({
    ...wideSize(width),
    title: "Short-term loudness over time",
    desc: `Short-term loudness (3 s window) in LUFS across ${clock(duration)}; integrated ${num(integrated, { unit: "LUFS" })}.`,
  });
  const { plot } = chart;
  const [lo, hi] = yDomain(tl.values, [integrated, ...targets.map((t) => t.lufs)]);
  const x = linear([0, duration], [plot.x0, plot.x1]);
  const y = linear([lo, hi], [plot.y0, plot.y1]);
  drawSections(chart, analysis.sections || [], x);
  yGrid(chart, ticks(lo, hi, 6), y);
  xGrid(chart, ticks(0, duration, timeStep(duration, Math.max(3, Math.floor(width / 70)))), x, clock);
  xCaption(chart, "time (m:ss) · LUFS short-term");
  let lastLabelY = -Infinity;
  for (const t of targets) {
    const py = y(Math.min(Math.max(t.lufs, lo), hi));
    const line = s("line", { x1: plot.x0, x2: plot.x1, y1: py, y2: py, class: "target" });
    line.append(s("title", { text: `${t.names.join(", ")}: ${num(t.lufs, { digits: 0, unit: "LUFS" })}` }));
    chart.layer("refs").append(line);
    // Targets a few LU apart would print on top of each other: label only those with room.
    if (py - lastLabelY < 12) continue;
    lastLabelY = py;
    const more = t.names.length > 1 ? ` +${t.names.length - 1}` : "";
    chart.layer("labels").append(
      s("text", { x: plot.x1 - 4, y: py - 3, class: "target-label", "text-anchor": "end", text: `${t.names[0]}${more} ${num(t.lufs, { digits: 0 })}` }),
    );
  }
  if (Number.isFinite(integrated)) {
    const py = y(integrated);
    chart.layer("refs").append(s("line", { x1: plot.x0, x2: plot.x1, y1: py, y2: py, class: "integrated" }));
  }
  const points = tl.times_s.map((t, i) => [x(t), tl.values[i] === null ? null : y(tl.values[i])]);
  const d = pathData(points);
  chart.layer("data").append(s("path", { d, class: "series main", "data-series": "short-term" }));
  const clipping = analysis.clipping || {};
  drawMarkers(chart, clipping.clip_events || [], x, "clip", "Clipping");
  drawMarkers(chart, clipping.over_events || [], x, "over", "True-peak over");
  const capped = clipping.events_capped ? " (first shown)" : "";
  legend(chart, [
    { label: "short-term", cls: "main" },
    { label: `integrated ${num(integrated, { digits: 1 })}`, cls: "integrated" },
    { label: "platform target", cls: "target" },
    (clipping.clip_events || []).length ? { label: `clipping ×${clipping.clip_runs}${capped}`, cls: "clip" } : null,
    (clipping.over_events || []).length ? { label: `true-peak over ×${clipping.true_peak_overs}${capped}`, cls: "over" } : null,
  ].filter(Boolean));
  chart.svg.dataset.points = String(tl.values.filter((v) => v !== null).length);
  return chart.svg;
}
