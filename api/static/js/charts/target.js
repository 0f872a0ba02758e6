// Genre target zones on the 1/3-octave spectrum, derived only from numbers the server sent.
//
// A genre target (FindingReport.targets.bandLevelsDb) is a range for a band's level relative to the whole spectrum
// (spectrum.band_levels_db), the figure the findings compare. Moving that band into range shifts its part of the
// curve by (target - measured) dB, so the zone for the curve is the band's own curve level (power mean of its
// 1/3-octave points) plus that shift.

import { s } from "../dom.js";
import { bandLabel, num } from "../format.js";

/** Band edges in Hz, as defined by BAND_EDGES_HZ in services/analysis/result.py (the server's lowHz/highHz win). */
export const BAND_EDGES_HZ = {
  sub: [20, 60],
  bass: [60, 250],
  low_mid: [250, 500],
  mid: [500, 2000],
  high_mid: [2000, 4000],
  presence: [4000, 6000],
  air: [6000, 20000],
};

function powerMean(levels) {
  const finite = levels.filter(Number.isFinite);
  if (!finite.length) return null;
  return 10 * Math.log10(finite.reduce((sum, l) => sum + 10 ** (l / 10), 0) / finite.length);
}

/**
 * Zones [{band, f0, f1, low, high}] in the spectrum's dB scale, for each band with a target and a measurement.
 * `low`/`high` may be null (an open-ended target).
 */
export function targetZones(thirdOctave, bandLevels, targets) {
  const measured = new Map((bandLevels || []).map((b) => [b.band, b.value]));
  const zones = [];
  for (const [band, target] of targets || new Map()) {
    const edges = Number.isFinite(target.lowHz) && Number.isFinite(target.highHz) ? [target.lowHz, target.highHz] : BAND_EDGES_HZ[band];
    const level = measured.get(band);
    if (!edges || !Number.isFinite(level)) continue;
    const curve = powerMean(thirdOctave.filter((b) => b.center_hz >= edges[0] && b.center_hz < edges[1]).map((b) => b.level_db));
    if (curve === null) continue;
    const shift = (bound) => (Number.isFinite(bound) ? curve + bound - level : null);
    zones.push({ band, f0: edges[0], f1: edges[1], low: shift(target.low), high: shift(target.high) });
  }
  return zones;
}

/** Draw the zones as shaded boxes behind the curves; open ends run to the edge of the plot. */
export function drawZones(chart, zones, { x, y, domain }) {
  for (const z of zones) {
    const top = y(Math.min(Number.isFinite(z.high) ? z.high : domain[1], domain[1]));
    const bottom = y(Math.max(Number.isFinite(z.low) ? z.low : domain[0], domain[0]));
    const rect = s("rect", {
      x: x(z.f0),
      y: Math.min(top, bottom),
      width: Math.max(1, x(z.f1) - x(z.f0)),
      height: Math.max(2, Math.abs(bottom - top)),
      class: "target-zone",
      "data-key": "zone",
      "data-band": z.band,
      "data-low": Number.isFinite(z.low) ? z.low.toFixed(2) : "",
      "data-high": Number.isFinite(z.high) ? z.high.toFixed(2) : "",
    });
    rect.append(s("title", { text: `${bandLabel(z.band)}: genre target zone (${num(z.low)} to ${num(z.high)} dB on this scale)` }));
    chart.layer("bands").append(rect);
  }
}
