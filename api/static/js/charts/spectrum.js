// 1/3-octave spectrum of the track, with the reference track level-matched on top when there is one.

import { s } from "../dom.js";
import { hz, num } from "../format.js";
import { drawZones, targetZones } from "./target.js";
import { frame, legend, wideSize, linear, logScale, pathData, ticks, xCaption, xGrid, yGrid } from "./frame.js";

const F_LO = 20;
const F_HI = 20000;

/**
 * Offset in dB that makes `ref` carry the same total power as `main` over the bands both measured,
 * so a louder or quieter reference does not read as a tonal difference.
 */
export function levelMatchOffset(main, ref) {
  const refByHz = new Map(ref.map((b) => [b.center_hz, b.level_db]));
  let pMain = 0;
  let pRef = 0;
  for (const b of main) {
    const r = refByHz.get(b.center_hz);
    if (!Number.isFinite(b.level_db) || !Number.isFinite(r)) continue;
    pMain += 10 ** (b.level_db / 10);
    pRef += 10 ** (r / 10);
  }
  return pMain > 0 && pRef > 0 ? 10 * Math.log10(pMain / pRef) : 0;
}

function domain(series) {
  const values = series.flat().map((b) => b.level_db).filter(Number.isFinite);
  if (!values.length) return [-60, 0];
  const lo = Math.max(-96, Math.floor((Math.min(...values) - 3) / 12) * 12);
  return [Math.min(lo, -24), Math.max(6, Math.ceil(Math.max(...values) / 6) * 6)];
}

function line(chart, bands, x, y, cls, name) {
  const pts = bands
    .filter((b) => b.center_hz >= F_LO && b.center_hz <= F_HI)
    .map((b) => [x(b.center_hz), Number.isFinite(b.level_db) ? y(b.level_db) : null]);
  chart.layer("data").append(s("path", { d: pathData(pts), class: `series ${cls}`, "data-series": name }));
  for (const [px, py] of pts) {
    if (py !== null) chart.layer("data").append(s("circle", { cx: px, cy: py, r: 2.2, class: `dot ${cls}` }));
  }
}

/**
 * Build the spectrum SVG. `main` and `reference` are analysis dicts (reference may be null); `width` in pixels;
 * `targets` maps a band to the genre's {low, high} range for its level (FindingReport.targets), drawn as zones.
 * Returns { svg, offsetDb } where offsetDb is the gain applied to the reference curve.
 */
export function spectrumChart(main, reference = null, { width = 720, targets = new Map() } = {}) {
  const bands = (main.spectrum && main.spectrum.third_octave) || [];
  const refRaw = (reference && reference.spectrum && reference.spectrum.third_octave) || [];
  const offsetDb = refRaw.length ? levelMatchOffset(bands, refRaw) : 0;
  const ref = refRaw.map((b) => ({ ...b, level_db: Number.isFinite(b.level_db) ? b.level_db + offsetDb : null }));
  const chart = frame({
    ...wideSize(width),
    title: "1/3-octave spectrum",
    desc: reference
      ? `Level per 1/3-octave band, dB relative to the loudest band; reference level-matched by ${num(offsetDb, { signed: true, unit: "dB" })}.`
      : "Level per 1/3-octave band, dB relative to the loudest band.",
  });
  const { plot } = chart;
  const zones = targetZones(bands, main.spectrum && main.spectrum.band_levels_db, targets);
  const zoneLevels = zones.flatMap((z) => [z.low, z.high]).filter(Number.isFinite).map((level_db) => ({ level_db }));
  const [lo, hi] = domain([bands, ref, zoneLevels]);
  const x = logScale([F_LO, F_HI], [plot.x0, plot.x1]);
  const y = linear([lo, hi], [plot.y0, plot.y1]);
  drawZones(chart, zones, { x, y, domain: [lo, hi] });
  yGrid(chart, ticks(lo, hi, 12), y);
  const freqs = width >= 560 ? [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000] : [63, 250, 1000, 4000, 16000];
  xGrid(chart, freqs, x, hz);
  xCaption(chart, "frequency · dB relative to the loudest band");
  if (ref.length) line(chart, ref, x, y, "reference", "reference");
  line(chart, bands, x, y, "main", "track");
  const items = [{ label: "this track", cls: "main" }];
  if (ref.length) items.push({ label: `reference ${num(offsetDb, { signed: true, unit: "dB" })}`, cls: "reference" });
  if (zones.length) items.push({ label: "genre target", cls: "range" });
  legend(chart, items);
  chart.svg.dataset.points = String(bands.filter((b) => Number.isFinite(b.level_db)).length);
  return { svg: chart.svg, offsetDb };
}
