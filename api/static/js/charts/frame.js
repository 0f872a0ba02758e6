// Shared SVG plumbing for the charts: scales, a framed plot area with grid and axis labels, accessible titles.

import { s } from "../dom.js";

/** Linear map from [d0, d1] to [r0, r1]. */
export function linear([d0, d1], [r0, r1]) {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Log10 map from [d0, d1] (both > 0) to [r0, r1]. */
export function logScale([d0, d1], [r0, r1]) {
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  return (v) => r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0);
}

/** "Nice" ticks every `step` between lo and hi inclusive. */
export function ticks(lo, hi, step) {
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Number(v.toFixed(6)));
  return out;
}

let counter = 0;

/**
 * An <svg> with a viewBox of width × height, a <title> and <desc> for screen readers, and a plot rectangle
 * inset by `margin`. Returns { svg, plot: {x0, x1, y0, y1}, layer(name) } where layers keep drawing order.
 */
export function frame({ width = 720, height = 280, margin = { top: 14, right: 16, bottom: 56, left: 48 }, title, desc }) {
  counter += 1;
  const tid = `chart-title-${counter}`;
  const did = `chart-desc-${counter}`;
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "group", // not "img": its legend toggles and read-out are interactive
    "aria-labelledby": `${tid} ${did}`,
    preserveAspectRatio: "xMidYMid meet",
  });
  svg.append(s("title", { id: tid, text: title }), s("desc", { id: did, text: desc || title }));
  const plot = { x0: margin.left, x1: width - margin.right, y0: height - margin.bottom, y1: margin.top };
  const layers = {};
  for (const name of ["bands", "grid", "refs", "data", "marks", "labels"]) {
    layers[name] = s("g", { class: `layer-${name}` });
    svg.append(layers[name]);
  }
  return { svg, plot, layer: (name) => layers[name] };
}

/** Horizontal grid lines with left labels at each y tick. */
export function yGrid(chart, values, y, fmt = (v) => String(v)) {
  const { plot } = chart;
  for (const v of values) {
    const py = y(v);
    chart.layer("grid").append(s("line", { x1: plot.x0, x2: plot.x1, y1: py, y2: py, class: "grid" }));
    chart.layer("labels").append(s("text", { x: plot.x0 - 6, y: py + 4, class: "tick", "text-anchor": "end", text: fmt(v) }));
  }
}

/** Vertical grid lines with bottom labels at each x tick. */
export function xGrid(chart, values, x, fmt = (v) => String(v)) {
  const { plot } = chart;
  for (const v of values) {
    const px = x(v);
    chart.layer("grid").append(s("line", { x1: px, x2: px, y1: plot.y0, y2: plot.y1, class: "grid" }));
    chart.layer("labels").append(s("text", { x: px, y: plot.y0 + 16, class: "tick", "text-anchor": "middle", text: fmt(v) }));
  }
}

/** Axis caption under the plot. */
export function xCaption(chart, text) {
  const { plot } = chart;
  chart.layer("labels").append(
    s("text", { x: (plot.x0 + plot.x1) / 2, y: plot.y0 + 30, class: "caption", "text-anchor": "middle", text }),
  );
}

/**
 * A polyline path through (xs[i], ys[i]); null values break the line (silence is a gap, not a dip).
 * Returns the `d` attribute, or "" when there is nothing to draw.
 */
export function pathData(points) {
  let d = "";
  let pen = false;
  for (const [px, py] of points) {
    if (py === null || !Number.isFinite(py) || !Number.isFinite(px)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/**
 * A legend under the plot (below the axis caption), wrapping onto a second row when narrow: items [{label, cls,
 * key?}]. An item with a `key` is a toggle (click, Enter or Space): it hides or shows every element of the chart
 * marked data-key="<key>", and says so with aria-pressed.
 */
export function legend(chart, items) {
  const { plot } = chart;
  let x = plot.x0;
  let y = plot.y0 + 38;
  for (const item of items) {
    const width = 30 + item.label.length * 6.2;
    if (x > plot.x0 && x + width > plot.x1) {
      x = plot.x0;
      y += 16;
    }
    const g = s("g", { class: `legend ${item.cls}`, transform: `translate(${x.toFixed(1)},${y})` });
    g.append(
      s("rect", { x: -3, y: -2, width: width - 6, height: 16, class: "legend-hit" }),
      s("line", { x1: 0, x2: 14, y1: 6, y2: 6, class: "swatch" }),
      s("text", { x: 18, y: 10, class: "tick", text: item.label }),
    );
    if (item.key) makeToggle(chart.svg, g, item);
    chart.layer("labels").append(g);
    x += width;
  }
}

/** Hide in `next` what was hidden with the legend in `previous` (a redraw, e.g. a zoom, keeps the user's choice). */
export function carryToggles(previous, next) {
  if (!previous) return;
  for (const g of previous.querySelectorAll("g.legend[aria-pressed=false]")) {
    const twin = next.querySelector(`g.legend[data-toggle="${g.dataset.toggle}"]`);
    if (twin && twin.getAttribute("aria-pressed") === "true") twin.dispatchEvent(new MouseEvent("click"));
  }
}

function makeToggle(svg, g, item) {
  g.setAttribute("role", "button");
  g.setAttribute("tabindex", "0");
  g.setAttribute("aria-pressed", "true");
  g.setAttribute("aria-label", `Show ${item.label}`);
  g.dataset.toggle = item.key;
  const flip = () => {
    const on = g.getAttribute("aria-pressed") !== "true";
    g.setAttribute("aria-pressed", String(on));
    for (const el of svg.querySelectorAll(`[data-key="${item.key}"]`)) {
      if (on) el.removeAttribute("data-off");
      else el.setAttribute("data-off", "");
    }
  };
  g.addEventListener("click", flip);
  g.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      flip();
    }
  });
}

/**
 * Hover and keyboard read-out with a crosshair. `samples` [{x, lines: [text…]}] sorted by x (plot pixels). The
 * pointer or the arrow keys (when the chart has focus; Home/End jump to the ends) pick the nearest sample; its
 * lines show in a box beside a vertical line. `onPick(sample)` runs on a click or Enter (e.g. seek to a time).
 */
export function readout(chart, samples, { onPick = null, label = "" } = {}) {
  const { svg, plot } = chart;
  if (!samples.length) return;
  svg.setAttribute("tabindex", "0");
  svg.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight Home End");
  svg.classList.add("interactive");
  const cross = s("line", { x1: 0, x2: 0, y1: plot.y1, y2: plot.y0, class: "crosshair", "data-off": "" });
  const box = s("g", { class: "readout", "data-off": "" });
  const rect = s("rect", { rx: 4, class: "readout-box" });
  const text = s("text", { class: "readout-text" });
  box.append(rect, text);
  const hit = s("rect", { x: plot.x0, y: plot.y1, width: plot.x1 - plot.x0, height: plot.y0 - plot.y1, class: "hit" });
  chart.layer("marks").append(hit);
  chart.layer("labels").append(cross, box);
  let at = -1;
  const show = (i) => {
    at = Math.max(0, Math.min(samples.length - 1, i));
    const sample = samples[at];
    cross.setAttribute("x1", sample.x.toFixed(1));
    cross.setAttribute("x2", sample.x.toFixed(1));
    cross.removeAttribute("data-off");
    text.replaceChildren(...sample.lines.map((line, n) => s("tspan", { x: 0, dy: n ? 14 : 0, text: line })));
    const width = 12 + Math.max(...sample.lines.map((l) => l.length)) * 6.4;
    const height = 8 + sample.lines.length * 14;
    const left = sample.x + 10 + width > plot.x1 ? sample.x - 10 - width : sample.x + 10;
    box.setAttribute("transform", `translate(${left.toFixed(1)},${plot.y1 + 4})`);
    rect.setAttribute("x", -6);
    rect.setAttribute("y", -12);
    rect.setAttribute("width", width.toFixed(1));
    rect.setAttribute("height", height);
    box.removeAttribute("data-off");
    svg.dataset.readout = sample.lines.join(" · ");
  };
  const hide = () => {
    cross.setAttribute("data-off", "");
    box.setAttribute("data-off", "");
  };
  const nearest = (px) => {
    let lo = 0;
    let hi = samples.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (samples[mid].x < px) lo = mid;
      else hi = mid;
    }
    return Math.abs(samples[lo].x - px) <= Math.abs(samples[hi].x - px) ? lo : hi;
  };
  const toPlot = (event) => {
    const matrix = svg.getScreenCTM();
    if (!matrix) return null;
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return point.x;
  };
  svg.addEventListener("pointermove", (event) => {
    const px = toPlot(event);
    if (px === null || px < plot.x0 - 4 || px > plot.x1 + 4) return hide();
    show(nearest(px));
  });
  svg.addEventListener("pointerleave", () => {
    if (document.activeElement !== svg) hide();
  });
  svg.addEventListener("blur", hide);
  svg.addEventListener("focus", () => show(at < 0 ? 0 : at));
  hit.addEventListener("click", () => {
    if (onPick && at >= 0) onPick(samples[at]);
  });
  svg.addEventListener("keydown", (event) => {
    if (event.target !== svg) return; // legend toggles handle their own keys
    const step = event.shiftKey ? 10 : 1;
    const moves = { ArrowRight: at + step, ArrowLeft: at - step, Home: 0, End: samples.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      show(moves[event.key]);
    } else if (event.key === "Enter" && onPick && at >= 0) {
      onPick(samples[at]);
    }
  });
  if (label) svg.setAttribute("aria-roledescription", label);
}

/** Frame size for a wide chart shown `width` pixels wide: narrow screens get room for a two-row legend. */
export function wideSize(width) {
  const narrow = width < 520;
  return { width, height: narrow ? 250 : 280, margin: { top: 14, right: 12, bottom: narrow ? 72 : 56, left: 44 } };
}
