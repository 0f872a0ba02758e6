// Per-band stereo picture: width (side relative to mid, dB) and phase correlation (-1..1), reference ticks when present.

import { num } from "../format.js";
import { bandChart, byBand } from "./bands.js";

const BANDS = ["sub", "bass", "low_mid", "mid", "high_mid", "presence", "air"];

function bandOrder(list) {
  const names = (list || []).map((b) => b.band);
  return names.length ? names : BANDS;
}

/** Width as side level relative to mid (dB): bounded and readable, -60 mono, 0 uncorrelated, above 0 out of phase. */
function sideToMidChart(st, rs, px) {
  const width = byBand(st.side_to_mid_per_band_db);
  const refWidth = byBand(rs.side_to_mid_per_band_db);
  return bandChart({
    title: "Stereo width per band",
    desc: `Side level relative to mid per band in dB (-60 is mono, 0 is side as loud as mid); overall ${num(st.side_to_mid_db, { unit: "dB", digits: 1 })}.`,
    rows: bandOrder(st.side_to_mid_per_band_db).map((band) => ({ band, value: width.get(band), ref: refWidth.get(band) })),
    domain: [-40, 10],
    zero: -40,
    unit: "dB",
    step: 10,
    cls: "width",
    width: px,
  });
}

/** Analyses stored before side-to-mid dB: side-to-mid energy in percent. */
function percentChart(st, rs, px) {
  const width = byBand(st.width_per_band_pct);
  const refWidth = byBand(rs.width_per_band_pct);
  const widths = [...width.values()].filter(Number.isFinite);
  const widest = Math.max(100, ...widths, ...[...refWidth.values()].filter(Number.isFinite));
  const step = [25, 50, 100, 200, 250, 500, 1000, 2000].find((s) => widest / s <= 5) || 5000;
  return bandChart({
    title: "Stereo width per band",
    desc: `Side-to-mid energy per band in percent; overall ${num(st.width_pct, { unit: "%" })}.`,
    rows: bandOrder(st.width_per_band_pct).map((band) => ({ band, value: width.get(band), ref: refWidth.get(band) })),
    domain: [0, Math.ceil(widest / step) * step],
    unit: "%",
    step,
    cls: "width",
    width: px,
  });
}

/** Returns [widthSvg, correlationSvg] for an analysis dict and an optional reference analysis dict. */
export function stereoCharts(analysis, reference = null, { width: px = 360 } = {}) {
  const st = analysis.stereo || {};
  const rs = (reference && reference.stereo) || {};
  const widthSvg = (st.side_to_mid_per_band_db || []).length ? sideToMidChart(st, rs, px) : percentChart(st, rs, px);
  const corr = byBand(st.correlation_per_band);
  const refCorr = byBand(rs.correlation_per_band);
  const corrSvg = bandChart({
    title: "Phase correlation per band",
    desc: `Correlation between left and right per band, from -1 (out of phase) to +1 (mono); overall ${num(st.correlation, { digits: 2 })}.`,
    rows: bandOrder(st.correlation_per_band).map((band) => ({ band, value: corr.get(band), ref: refCorr.get(band) })),
    domain: [-1, 1],
    unit: "",
    step: 0.5,
    digits: 1,
    cls: "corr",
    width: px,
    negative: true,
  });
  widthSvg.dataset.chart = "width";
  corrSvg.dataset.chart = "correlation";
  return [widthSvg, corrSvg];
}
