// The analysis view: key figures, the loudness, spectrum and stereo charts, and the platform table.

import { bandChart, byBand } from "../charts/bands.js";
import { loudnessChart } from "../charts/loudness.js";
import { spectrumChart } from "../charts/spectrum.js";
import { stereoCharts } from "../charts/stereo.js";
import { byId, h, replace } from "../dom.js";
import { bandLabel, clock, hz, num } from "../format.js";
import { carryToggles } from "../charts/frame.js";
import { chartTable } from "../charts/table.js";

function get(obj, path) {
  return path.split(".").reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

/** The six headline figures: [label, path, unit, digits, unavailable-group]. */
const FIGURES = [
  ["Integrated loudness", "loudness.integrated_lufs", "LUFS", 1],
  ["Loudness range", "loudness.loudness_range_lu", "LU", 1],
  ["True peak", "loudness.true_peak_dbtp", "dBTP", 1],
  ["Peak to loudness (PLR)", "dynamics.plr_db", "dB", 1],
  ["Tempo", "musical.tempo_bpm", "BPM", 0],
  ["Key", "musical.key", "", 0],
];

function reason(analysis, path) {
  const [group, key] = path.split(".");
  const unavailable = get(analysis, `${group}.unavailable`) || {};
  return unavailable[key] || null;
}

function figureValue(analysis, path, unit, digits) {
  const v = get(analysis, path);
  return typeof v === "string" ? v : num(v, { digits, unit });
}

/** The big number with its unit set smaller, so six figures fit a row without wrapping. */
function bigValue(analysis, path, unit, digits) {
  const v = get(analysis, path);
  if (typeof v === "string" || !Number.isFinite(v)) return h("dd", { class: "value", text: figureValue(analysis, path, unit, digits) });
  return h("dd", { class: "value" }, num(v, { digits }), unit ? h("span", { class: "unit", text: ` ${unit}` }) : null);
}

function renderFigures(analysis, reference) {
  const items = FIGURES.map(([label, path, unit, digits]) => {
    const why = reason(analysis, path);
    return h(
      "div",
      { class: "figure-item", dataset: { key: path } },
      h("dt", { text: label }),
      bigValue(analysis, path, unit, digits),
      why ? h("dd", { class: "muted small", text: why }) : null,
      reference ? h("dd", { class: "muted small", text: `reference ${figureValue(reference, path, unit, digits)}` }) : null,
    );
  });
  replace(byId("figures"), items);
}

function renderPlatforms(analysis) {
  const head = h(
    "thead",
    {},
    h("tr", {}, ["Platform", "Plays at", "Gain applied", "Result", "True peak after", "Lossy clip risk"].map((t) => h("th", { scope: "col", text: t }))),
  );
  const rows = (analysis.platforms || []).map((p) =>
    h(
      "tr",
      {},
      h("th", { scope: "row", title: `${p.policy} (source: ${p.source})`, text: p.platform }),
      h("td", { text: num(p.reference_lufs, { digits: 0, unit: "LUFS" }) }),
      h("td", { class: p.gain_db < 0 ? "neg" : "", text: num(p.gain_db, { signed: true, unit: "dB" }) }),
      h("td", { text: num(p.resulting_lufs, { unit: "LUFS" }) }),
      h("td", { text: num(p.resulting_true_peak_dbtp, { unit: "dBTP" }) }),
      h("td", { class: p.lossy_clip_risk ? "warn" : "", text: p.lossy_clip_risk ? "yes" : "no" }),
    ),
  );
  const table = byId("platforms");
  const caption = table.querySelector("caption");
  replace(table, caption, head, h("tbody", {}, rows));
}

/**
 * The band balance's floor: −24 dB covers a normal mix (its quietest band, the air, sits near −20 dB); a track
 * with a quieter band extends it in 6 dB steps, to −48 at most (below that a band is as good as absent).
 */
export function balanceFloor(values) {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return -24;
  return Math.max(-48, Math.min(-24, Math.floor((Math.min(...finite) - 2) / 6) * 6));
}

/** Band balance (dB per band relative to the total) with the reference as ticks and genre targets as ranges. */
export function balanceChart(analysis, reference, targets = new Map(), { width = 360 } = {}) {
  const levels = get(analysis, "spectrum.band_levels_db") || [];
  const ref = byBand(get(reference, "spectrum.band_levels_db"));
  const lo = balanceFloor(levels.map((b) => b.value));
  return bandChart({
    title: "Band balance",
    desc: "Level per band in dB relative to the whole spectrum; shaded ranges are the genre target where one applies.",
    rows: levels.map((b) => ({ band: b.band, value: b.value, ref: ref.get(b.band), target: targets.get(b.band) })),
    domain: [lo, 0],
    zero: lo,
    unit: "dB",
    step: 6,
    cls: "balance",
    width,
  });
}

/** Tables behind the charts, for keyboards and screen readers: the numbers each chart draws. */
function loudnessTable(a) {
  const tl = get(a, "loudness.short_term_timeline") || { times_s: [], values: [] };
  const every = Math.max(1, Math.round(tl.times_s.length / 60)); // about 60 rows, whatever the length
  const rows = tl.times_s
    .map((t, i) => [clock(t), tl.values[i] === null ? "silence" : num(tl.values[i], { unit: "LUFS" })])
    .filter((_, i) => i % every === 0);
  const spans = (kind, noun) => (get(a, `clipping.${kind}_spans`) || []).map((sp) => [`${noun} ${clock(sp.start_s)}–${clock(sp.end_s)}`, `${sp.count} ${sp.count === 1 ? "event" : "events"}`]);
  return chartTable("Short-term loudness over time", ["Time", "Loudness"], [...rows, ...spans("clip", "Clipping"), ...spans("over", "True-peak over")], { id: "table-loudness" });
}

function spectrumTable(a, r) {
  const refAt = new Map(((r && get(r, "spectrum.third_octave")) || []).map((b) => [b.center_hz, b.level_db]));
  const rows = (get(a, "spectrum.third_octave") || []).map((b) => [
    hz(b.center_hz),
    num(b.level_db, { unit: "dB" }),
    ...(r ? [num(refAt.get(b.center_hz), { unit: "dB" })] : []),
  ]);
  return chartTable("1/3-octave spectrum", ["Band", "Track", ...(r ? ["Reference (not level-matched)"] : [])], rows, { id: "table-spectrum" });
}

function bandsTable(a, r) {
  const ref = (path) => byBand(r ? get(r, path) : null);
  const refLevel = ref("spectrum.band_levels_db");
  const width = byBand(get(a, "stereo.side_to_mid_per_band_db"));
  const corr = byBand(get(a, "stereo.correlation_per_band"));
  const refCorr = ref("stereo.correlation_per_band");
  const rows = (get(a, "spectrum.band_levels_db") || []).map((b) => [
    bandLabel(b.band),
    num(b.value, { unit: "dB" }),
    ...(r ? [num(refLevel.get(b.band), { unit: "dB" })] : []),
    num(width.get(b.band), { unit: "dB" }),
    num(corr.get(b.band), { digits: 2 }),
    ...(r ? [num(refCorr.get(b.band), { digits: 2 })] : []),
  ]);
  const head = ["Band", "Balance", ...(r ? ["Reference balance"] : []), "Width (side to mid)", "Correlation", ...(r ? ["Reference correlation"] : [])];
  return chartTable("Band balance and stereo per band", head, rows, { id: "table-bands" });
}

/** Draw everything for a READY track (and optional READY reference). Each chart is built from analysisJson. */
export function renderAnalysis(track, reference = null, { targets } = {}) {
  const a = track.analysisJson;
  const r = reference ? reference.analysisJson : null;
  const file = a.file || {};
  byId("analysis-subtitle").textContent = [
    track.name,
    `${file.format || ""} ${file.subtype || ""}`.trim(),
    file.sample_rate_hz ? `${(file.sample_rate_hz / 1000).toFixed(1)} kHz` : null,
    file.channels === 1 ? "mono" : file.channels === 2 ? "stereo" : null,
    clock(file.duration_s),
    reference ? `reference: ${reference.name}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  renderFigures(a, r);
  byId("analysis").hidden = false; // visible first, so the chart boxes have a width to measure
  shown = { track, reference, targets: targets || new Map() };
  view = null;
  drawAll();
  replace(byId("tables-loudness"), loudnessTable(a));
  replace(byId("tables-spectrum"), spectrumTable(a, r));
  replace(byId("tables-stereo"), bandsTable(a, r));
  renderPlatforms(a);
}

let shown = null;
let view = null; // the loudness chart's zoomed time window [t0, t1], or null for the whole track
let lastWidth = 0;

function duration() {
  const a = shown.track.analysisJson;
  const tl = get(a, "loudness.short_term_timeline") || { times_s: [] };
  return get(a, "file.duration_s") || tl.times_s[tl.times_s.length - 1] || 1;
}

/** Each chart is drawn at its box's real pixel width so its text stays readable, from phones to wide screens. */
function drawAll() {
  if (!shown) return;
  const box = byId("chart-loudness");
  const width = Math.max(300, Math.round(box.clientWidth || 720));
  lastWidth = width;
  drawLoudness(width);
  const a = shown.track.analysisJson;
  const r = shown.reference ? shown.reference.analysisJson : null;
  replace(byId("chart-spectrum"), spectrumChart(a, r, { width, targets: shown.targets }).svg);
  replace(byId("chart-balance"), balanceChart(a, r, shown.targets, { width: rowWidth("chart-balance", 1) }));
  replace(byId("chart-stereo"), stereoCharts(a, r, { width: rowWidth("chart-stereo") }));
}

/** Width of one of `count` charts in a row: side by side when each gets 300 px (a gap of 12 px), else across. */
function rowWidth(id, count = 2) {
  const total = Math.round(byId(id).clientWidth || 360);
  const each = count > 1 && total >= count * 300 + 12 ? Math.floor((total - 12 * (count - 1)) / count) : total;
  return Math.max(300, each);
}

function drawLoudness(width = lastWidth) {
  const a = shown.track.analysisJson;
  const previous = byId("chart-loudness").querySelector("svg");
  // A click (or Enter) on a time tells any listener (e.g. a player) with a "mixcoach:time" event: {timeS}.
  const svg = loudnessChart(a, { width, view, onTime: (t) => document.dispatchEvent(new CustomEvent("mixcoach:time", { detail: { timeS: t } })) });
  carryToggles(previous, svg);
  replace(byId("chart-loudness"), svg);
  const whole = !view;
  byId("zoom-out").disabled = whole;
  byId("zoom-reset").disabled = whole;
  byId("zoom-state").textContent = whole ? "Whole track" : `${clock(view[0])}–${clock(view[1])}`;
}

/** Zoom the timeline by `factor` (0.5 in, 2 out) around the read-out's time, or the middle of the view. */
export function zoomTimeline(factor) {
  if (!shown) return;
  const total = duration();
  const [t0, t1] = view || [0, total];
  const svg = byId("chart-loudness").querySelector("svg");
  const picked = svg && svg.dataset.readout ? parseClock(svg.dataset.readout) : null;
  const centre = picked !== null && picked >= t0 && picked <= t1 ? picked : (t0 + t1) / 2;
  const span = Math.min(total, Math.max(5, (t1 - t0) * factor));
  let start = Math.max(0, centre - span / 2);
  start = Math.min(start, total - span);
  view = span >= total ? null : [start, start + span];
  drawLoudness();
}

function parseClock(text) {
  const m = /^(\d+):(\d\d)/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Wire the zoom buttons, and + / − / 0 on the focused timeline. */
export function initCharts() {
  // A button that turns disabled (all the way out) would drop the focus to the page: give it to "Zoom in".
  const keep = (fn) => () => {
    fn();
    if (document.activeElement === document.body || (document.activeElement && document.activeElement.disabled)) byId("zoom-in").focus();
  };
  byId("zoom-in").addEventListener("click", () => zoomTimeline(0.5));
  byId("zoom-out").addEventListener("click", keep(() => zoomTimeline(2)));
  byId("zoom-reset").addEventListener("click", keep(resetZoom));
  byId("chart-loudness").addEventListener("keydown", (event) => {
    const action = { "+": () => zoomTimeline(0.5), "=": () => zoomTimeline(0.5), "-": () => zoomTimeline(2), "0": resetZoom }[event.key];
    if (!action) return;
    event.preventDefault();
    action();
    const svg = byId("chart-loudness").querySelector("svg");
    if (svg) svg.focus(); // the redrawn chart keeps the keyboard
  });
}

export function resetZoom() {
  view = null;
  if (shown) drawLoudness();
}

/** Redraw at the boxes' current widths (a phone tab that was hidden when the charts were drawn). */
export function redrawCharts() {
  if (shown && !byId("analysis").hidden) drawAll();
}

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const width = Math.round(byId("chart-loudness").clientWidth);
    if (shown && !byId("analysis").hidden && Math.abs(width - lastWidth) > 40) drawAll();
  }, 200);
});

/** Redraw the band balance and the spectrum once the genre targets for the chosen genre and stage are known. */
export function renderTargets(track, reference, targets) {
  shown = { track, reference, targets };
  drawAll();
}
