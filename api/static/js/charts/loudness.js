// Short-term loudness over time, with the integrated level, platform targets, clip and over spans, section bands,
// a hover/keyboard read-out and zoom (a time window of the track).

import { s } from "../dom.js";
import { clock, num } from "../format.js";
import { frame, legend, wideSize, linear, pathData, readout, ticks, xCaption, xGrid, yGrid } from "./frame.js";

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

/**
 * "−14 LUFS: Spotify, YouTube, Tidal, Amazon": the level first, so it never reads as a gain. With `maxChars`, the
 * names that do not fit become "+N" ("−14 LUFS: Spotify, YouTube +3"); the line's tooltip keeps them all.
 */
export function targetLabel(target, maxChars = Infinity) {
  const level = `${num(target.lufs, { digits: 0, unit: "LUFS" })}: `;
  const names = [...target.names];
  for (let shown = names.length; shown >= 1; shown -= 1) {
    const rest = names.length - shown;
    const text = `${level}${names.slice(0, shown).join(", ")}${rest ? ` +${rest}` : ""}`;
    if (text.length <= maxChars || shown === 1) return text;
  }
  return level;
}

/**
 * A fixed, readable range: 0 LUFS at the top (+6 only when the track goes above 0), −36 at the bottom unless the
 * music itself (its 5th percentile, so a fade or a silence does not count) sits lower, and never below −60.
 */
export function loudnessRange(values) {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!finite.length) return [-36, 0];
  const low = finite[Math.floor(finite.length * 0.05)];
  const high = finite[finite.length - 1];
  const lo = Math.max(-60, Math.min(-36, Math.floor((low - 3) / 6) * 6));
  return [lo, high > 0 ? 6 : 0];
}

function timeStep(duration, maxTicks) {
  for (const step of [1, 2, 5, 10, 15, 30, 60, 120, 300, 600]) if (duration / step <= maxTicks) return step;
  return 1200;
}

function drawSections(chart, sections, x, [t0, t1]) {
  const { plot } = chart;
  sections.forEach((sec, i) => {
    if (sec.end_s <= t0 || sec.start_s >= t1) return;
    const x0 = x(Math.max(sec.start_s, t0));
    const x1 = x(Math.min(sec.end_s, t1));
    chart.layer("bands").append(
      s("rect", { x: x0, y: plot.y1, width: Math.max(0, x1 - x0), height: plot.y0 - plot.y1, class: `section s${i % 2}` }),
    );
    if (x1 - x0 > 30) {
      chart.layer("labels").append(s("text", { x: x0 + 4, y: plot.y0 - 6, class: "section-label", text: sec.label }));
    }
  });
}

/** The clip or over spans as they are stored, or (analyses from before spans) each event as a short span. */
export function eventSpans(clipping, kind) {
  const spans = clipping[`${kind}_spans`];
  if (Array.isArray(spans) && spans.length) return spans;
  return (clipping[`${kind}_events`] || []).map((ev) => ({ start_s: ev.time_s, end_s: ev.time_s + 0.05, count: 1 }));
}

/**
 * Every span as a box in its own lane at the top of the plot (clipping on the first lane, true-peak overs on the
 * second, in different colours and shapes), at least 3 px wide so a single event still shows.
 */
function drawSpans(chart, spans, x, [t0, t1], { cls, lane, noun }) {
  const { plot } = chart;
  const top = plot.y1 + lane * 10;
  for (const span of spans) {
    if (span.end_s < t0 || span.start_s > t1) continue;
    const a = x(Math.max(span.start_s, t0));
    const b = x(Math.min(span.end_s, t1));
    const mark = s("rect", {
      x: a,
      y: top,
      width: Math.max(3, b - a),
      height: 8,
      class: `marker ${cls}`,
      "data-key": cls,
      "data-start": span.start_s.toFixed(2),
      "data-end": span.end_s.toFixed(2),
      "data-count": String(span.count),
    });
    const when = clock(span.start_s) === clock(span.end_s) ? clock(span.start_s) : `${clock(span.start_s)}–${clock(span.end_s)}`;
    mark.append(s("title", { text: `${noun} at ${when}: ${span.count} ${span.count === 1 ? "event" : "events"}` }));
    chart.layer("marks").append(mark);
  }
}

/** Label each target line with room for it; targets a few LU apart would print on top of each other. */
function drawTargets(chart, targets, y, [lo, hi]) {
  const { plot } = chart;
  let lastLabelY = -Infinity;
  const fit = Math.floor((plot.x1 - plot.x0 - 8) / 5.6); // characters of 10 px text across the plot
  for (const t of targets) {
    if (t.lufs < lo || t.lufs > hi) continue;
    const py = y(t.lufs);
    const line = s("line", { x1: plot.x0, x2: plot.x1, y1: py, y2: py, class: "target", "data-key": "target" });
    line.append(s("title", { text: targetLabel(t) }));
    chart.layer("refs").append(line);
    if (py - lastLabelY < 12) continue;
    lastLabelY = py;
    chart.layer("labels").append(
      s("text", { x: plot.x1 - 4, y: py - 3, class: "target-label", "text-anchor": "end", "data-key": "target", text: targetLabel(t, fit) }),
    );
  }
}

/**
 * Build the loudness timeline SVG from an analysis dict (snake_case, as in analysisJson). `width` is the pixel
 * width it will be shown at, so text keeps its size on a phone; `view` [t0, t1] is the zoomed time window.
 * `onTime(seconds)` runs when a point is clicked or picked with Enter.
 */
export function loudnessChart(analysis, { width = 720, view = null, onTime = null } = {}) {
  const loud = analysis.loudness || {};
  const tl = loud.short_term_timeline || { times_s: [], values: [] };
  const duration = (analysis.file && analysis.file.duration_s) || tl.times_s[tl.times_s.length - 1] || 1;
  const [t0, t1] = view || [0, duration];
  const targets = platformTargets(analysis.platforms);
  const integrated = loud.integrated_lufs;
  const zoomed = t0 > 0 || t1 < duration;
  const chart = frame({
    ...wideSize(width),
    title: "Short-term loudness over time",
    desc: `Short-term loudness (3 s window) in LUFS across ${clock(duration)}${zoomed ? `, shown from ${clock(t0)} to ${clock(t1)}` : ""}; integrated ${num(integrated, { unit: "LUFS" })}. Arrow keys move the read-out.`,
  });
  const { plot } = chart;
  const [lo, hi] = loudnessRange(tl.values);
  const x = linear([t0, t1], [plot.x0, plot.x1]);
  const y = linear([lo, hi], [plot.y0, plot.y1]);
  const clampY = (v) => y(Math.min(Math.max(v, lo), hi));
  drawSections(chart, analysis.sections || [], x, [t0, t1]);
  yGrid(chart, ticks(lo, hi, 6), y, (v) => num(v, { digits: 0 }));
  xGrid(chart, ticks(Math.ceil(t0), t1, timeStep(t1 - t0, Math.max(3, Math.floor(width / 70)))), x, clock);
  xCaption(chart, zoomed ? `time (m:ss), ${clock(t0)}–${clock(t1)} · LUFS short-term` : "time (m:ss) · LUFS short-term");
  drawTargets(chart, targets, y, [lo, hi]);
  if (Number.isFinite(integrated)) {
    const py = clampY(integrated);
    chart.layer("refs").append(s("line", { x1: plot.x0, x2: plot.x1, y1: py, y2: py, class: "integrated", "data-key": "integrated" }));
  }
  const inView = tl.times_s.map((t, i) => [t, tl.values[i]]).filter(([t]) => t >= t0 - 3 && t <= t1 + 3);
  const points = inView.map(([t, v]) => [x(t), v === null ? null : clampY(v)]);
  chart.layer("data").append(s("path", { d: pathData(points), class: "series main", "data-series": "short-term", "data-key": "main" }));
  const clipping = analysis.clipping || {};
  const clips = eventSpans(clipping, "clip");
  const overs = eventSpans(clipping, "over");
  drawSpans(chart, clips, x, [t0, t1], { cls: "clip", lane: 0, noun: "Clipping" });
  drawSpans(chart, overs, x, [t0, t1], { cls: "over", lane: 1, noun: "True-peak over" });
  const spanWord = (n) => `${n} ${n === 1 ? "span" : "spans"}`;
  legend(chart, [
    { label: "short-term", cls: "main", key: "main" },
    { label: `integrated ${num(integrated, { digits: 1 })}`, cls: "integrated", key: "integrated" },
    targets.length ? { label: "platform targets", cls: "target", key: "target" } : null,
    clips.length ? { label: `clipping: ${clipping.clip_runs} runs, ${spanWord(clips.length)}`, cls: "clip", key: "clip" } : null,
    overs.length ? { label: `true-peak overs: ${clipping.true_peak_overs}, ${spanWord(overs.length)}`, cls: "over", key: "over" } : null,
  ].filter(Boolean));
  const samples = inView
    .filter(([t]) => t >= t0 && t <= t1)
    .map(([t, v]) => ({ x: x(t), t, lines: [clock(t), v === null ? "silence" : num(v, { unit: "LUFS" })] }));
  readout(chart, samples, { onPick: onTime ? (sample) => onTime(sample.t) : null });
  chart.svg.dataset.points = String(tl.values.filter((v) => v !== null).length);
  chart.svg.dataset.view = `${t0.toFixed(2)}-${t1.toFixed(2)}`;
  return chart.svg;
}
