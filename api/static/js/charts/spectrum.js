// 1/3-octave spectrum of the track, with the reference track level-matched on top when there is one.

import { s } from "../dom.js";
import { hz, num } from "../format.js";
import { drawZones, targetZones } from "./target.js";
import { frame, legend, wideSize, linear, logScale, pathData, readout, ticks, xCaption, xGrid, yGrid } from "./frame.js";

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

/**
 * A fixed range, −60 to +6 dB (levels are relative to the track's loudest band, so the track's own curve sits
 * at or below 0): a reference that rolls off, or a deep notch, is clipped at the floor instead of squeezing the
 * useful range into the top of the chart.
 */
export const SPECTRUM_RANGE = [-60, 6];

function line(chart, bands, x, y, cls, name) {
  const [lo, hi] = SPECTRUM_RANGE;
  const pts = bands
    .filter((b) => b.center_hz >= F_LO && b.center_hz <= F_HI)
    .map((b) => [x(b.center_hz), Number.isFinite(b.level_db) ? y(Math.min(Math.max(b.level_db, lo), hi)) : null]);
  chart.layer("data").append(s("path", { d: pathData(pts), class: `series ${cls}`, "data-series": name, "data-key": cls }));
  for (const [px, py] of pts) {
    if (py !== null) chart.layer("data").append(s("circle", { cx: px, cy: py, r: 2.2, class: `dot ${cls}`, "data-key": cls }));
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
  const [lo, hi] = SPECTRUM_RANGE;
  const x = logScale([F_LO, F_HI], [plot.x0, plot.x1]);
  const y = linear([lo, hi], [plot.y0, plot.y1]);
  drawZones(chart, zones, { x, y, domain: [lo, hi] });
  yGrid(chart, ticks(lo, hi, 12), y, (v) => num(v, { digits: 0 }));
  const freqs = width >= 560 ? [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000] : [63, 250, 1000, 4000, 16000];
  xGrid(chart, freqs, x, hz);
  xCaption(chart, "frequency · dB relative to the loudest band");
  if (ref.length) line(chart, ref, x, y, "reference", "reference");
  line(chart, bands, x, y, "main", "track");
  const items = [{ label: "this track", cls: "main", key: "main" }];
  if (ref.length) items.push({ label: `reference ${num(offsetDb, { signed: true, unit: "dB" })}`, cls: "reference", key: "reference" });
  if (zones.length) items.push({ label: "genre target", cls: "range", key: "zone" });
  legend(chart, items);
  const refAt = new Map(ref.map((b) => [b.center_hz, b.level_db]));
  const samples = bands
    .filter((b) => b.center_hz >= F_LO && b.center_hz <= F_HI)
    .map((b) => ({
      x: x(b.center_hz),
      lines: [
        hz(b.center_hz),
        `track ${num(b.level_db, { unit: "dB" })}`,
        ...(refAt.has(b.center_hz) ? [`reference ${num(refAt.get(b.center_hz), { unit: "dB" })}`] : []),
      ],
    }));
  readout(chart, samples);
  chart.svg.dataset.points = String(bands.filter((b) => Number.isFinite(b.level_db)).length);
  return { svg: chart.svg, offsetDb };
}
