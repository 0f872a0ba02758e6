// The loudness-coloured overview: one bar per short-term loudness point (height and colour from the measured LUFS),
// the sections under it, a playhead, and a selected time range. Pure SVG from analysisJson, no audio decoding.

import { s } from "../dom.js";
import { clock } from "../format.js";

export const OVERVIEW = { width: 1000, height: 90, top: 6, bottom: 4 };

/** A colour class per loudness band, so the loud passages read at a glance (legend in the CSS). */
export function loudnessClass(lufs) {
  if (!Number.isFinite(lufs)) return "lv-none";
  if (lufs >= -9) return "lv-hot";
  if (lufs >= -14) return "lv-loud";
  if (lufs >= -20) return "lv-mid";
  return "lv-soft";
}

/** Seconds for an x in the overview's own units (0..width). */
export function timeAt(x, duration) {
  return Math.min(duration, Math.max(0, (x / OVERVIEW.width) * duration));
}

/** Build the overview SVG; `duration` in seconds. Returns { svg, setPlayhead(t), setSelection(range|null) }. */
export function overview(analysis, duration) {
  const { width, height, top, bottom } = OVERVIEW;
  const tl = (analysis.loudness && analysis.loudness.short_term_timeline) || { times_s: [], values: [] };
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    preserveAspectRatio: "none",
    class: "overview",
    role: "img",
    "aria-label": `Loudness overview over ${clock(duration)}: taller and warmer bars are louder.`,
  });
  const x = (t) => (t / (duration || 1)) * width;
  const base = height - bottom;
  const bars = s("g", { class: "overview-bars" });
  const step = tl.times_s.length > 1 ? tl.times_s[1] - tl.times_s[0] : duration;
  tl.times_s.forEach((t, i) => {
    const v = tl.values[i];
    const level = Number.isFinite(v) ? Math.min(1, Math.max(0.04, (v + 40) / 40)) : 0.02;
    const h = level * (base - top);
    bars.append(s("rect", { x: x(t), y: base - h, width: Math.max(1, x(step) - 0.5), height: h, class: loudnessClass(v) }));
  });
  svg.append(bars);
  const sections = s("g", { class: "overview-sections" });
  for (const sec of analysis.sections || []) {
    // Labels are the HTML section chips under the overview: text in this stretched SVG would be distorted.
    sections.append(s("line", { x1: x(sec.start_s), x2: x(sec.start_s), y1: top, y2: height, class: "overview-section" }));
  }
  svg.append(sections);
  const selection = s("rect", { x: 0, y: 0, width: 0, height, class: "overview-selection", visibility: "hidden" });
  const playhead = s("line", { x1: 0, x2: 0, y1: 0, y2: height, class: "overview-playhead" });
  svg.append(selection, playhead);
  svg.dataset.points = String(tl.values.length);
  return {
    svg,
    setPlayhead(t) {
      playhead.setAttribute("x1", x(t));
      playhead.setAttribute("x2", x(t));
    },
    setSelection(range) {
      if (!range) {
        selection.setAttribute("visibility", "hidden");
        return;
      }
      selection.setAttribute("visibility", "visible");
      selection.setAttribute("x", x(range.startS));
      selection.setAttribute("width", Math.max(1, x(range.endS) - x(range.startS)));
    },
  };
}
