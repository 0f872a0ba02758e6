// Per-band stereo picture: width (side/mid energy, %) and phase correlation (-1..1), reference ticks when present.

import { num } from "../format.js";
import { bandChart, byBand } from "./bands.js";

const BANDS = ["sub", "bass", "low_mid", "mid", "high_mid", "presence", "air"];

function bandOrder(list) {
  const names = (list || []).map((b) => b.band);
  return names.length ? names : BANDS;
}

/** Returns [widthSvg, correlationSvg] for an analysis dict and an optional reference analysis dict. */
export function stereoCharts(analysis, reference = null) {
  const st = analysis.stereo || {};
  const rs = (reference && reference.stereo) || {};
  const width = byBand(st.width_per_band_pct);
  const refWidth = byBand(rs.width_per_band_pct);
  const corr = byBand(st.correlation_per_band);
  const refCorr = byBand(rs.correlation_per_band);
  const widths = [...width.values()].filter(Number.isFinite);
  const widest = Math.max(100, ...widths, ...[...refWidth.values()].filter(Number.isFinite));
  const step = [25, 50, 100, 200, 250, 500, 1000, 2000].find((s) => widest / s <= 5) || 5000;
  const maxWidth = Math.ceil(widest / step) * step;
  const widthSvg = bandChart({
    title: "Stereo width per band",
    desc: `Side-to-mid energy per band in percent; overall ${num(st.width_pct, { unit: "%" })}.`,
    rows: bandOrder(st.width_per_band_pct).map((band) => ({ band, value: width.get(band), ref: refWidth.get(band) })),
    domain: [0, maxWidth],
    unit: "%",
    step,
    cls: "width",
  });
  const corrSvg = bandChart({
    title: "Phase correlation per band",
    desc: `Correlation between left and right per band, from -1 (out of phase) to +1 (mono); overall ${num(st.correlation, { digits: 2 })}.`,
    rows: bandOrder(st.correlation_per_band).map((band) => ({ band, value: corr.get(band), ref: refCorr.get(band) })),
    domain: [-1, 1],
    unit: "",
    step: 0.5,
    digits: 1,
    cls: "corr",
  });
  widthSvg.dataset.chart = "width";
  corrSvg.dataset.chart = "correlation";
  return [widthSvg, corrSvg];
}
