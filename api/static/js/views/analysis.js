// The analysis view: key figures, the loudness, spectrum and stereo charts, and the platform table.

import { bandChart, byBand } from "../charts/bands.js";
import { loudnessChart } from "../charts/loudness.js";
import { spectrumChart } from "../charts/spectrum.js";
import { stereoCharts } from "../charts/stereo.js";
import { byId, h, replace } from "../dom.js";
import { clock, num } from "../format.js";

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

/** Band balance (dB per band relative to the total) with the reference as ticks and genre targets as ranges. */
export function balanceChart(analysis, reference, targets = new Map()) {
  const levels = get(analysis, "spectrum.band_levels_db") || [];
  const ref = byBand(get(reference, "spectrum.band_levels_db"));
  const values = [...levels.map((b) => b.value), ...ref.values()].filter(Number.isFinite);
  const lo = Math.min(-30, Math.floor(Math.min(0, ...values) / 6) * 6);
  return bandChart({
    title: "Band balance",
    desc: "Level per band in dB relative to the whole spectrum; shaded ranges are the genre target where one applies.",
    rows: levels.map((b) => ({ band: b.band, value: b.value, ref: ref.get(b.band), target: targets.get(b.band) })),
    domain: [lo, 0],
    zero: lo,
    unit: "dB",
    step: 6,
    cls: "balance",
  });
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
  drawWide(track, reference);
  replace(byId("chart-balance"), balanceChart(a, r, targets));
  replace(byId("chart-stereo"), stereoCharts(a, r));
  renderPlatforms(a);
  shown = { track, reference };
}

let shown = null;
let lastWidth = 0;

/** The two wide charts are drawn at the box's real pixel width so their text stays readable on phones. */
function drawWide(track, reference, targets = new Map()) {
  const box = byId("chart-loudness");
  const width = Math.max(300, Math.round(box.clientWidth || 720));
  lastWidth = width;
  const a = track.analysisJson;
  const r = reference ? reference.analysisJson : null;
  replace(box, loudnessChart(a, { width }));
  replace(byId("chart-spectrum"), spectrumChart(a, r, { width, targets }).svg);
}

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    const width = Math.round(byId("chart-loudness").clientWidth);
    if (shown && !byId("analysis").hidden && Math.abs(width - lastWidth) > 40) {
      drawWide(shown.track, shown.reference, shown.targets);
    }
  }, 200);
});

/** Redraw the band balance and the spectrum once the genre targets for the chosen genre and stage are known. */
export function renderTargets(track, reference, targets) {
  shown = { track, reference, targets };
  replace(byId("chart-balance"), balanceChart(track.analysisJson, reference ? reference.analysisJson : null, targets));
  drawWide(track, reference, targets);
}
