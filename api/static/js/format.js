// Number and time formatting for figures shown to people; `null` (not measurable) renders as an em dash.

export const DASH = "—";

/** Format `value` with `digits` decimals and an optional unit; a sign is added when `signed`. */
export function num(value, { digits = 1, unit = "", signed = false } = {}) {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  // A value that rounds to zero is shown as 0, never "-0.0".
  const rounded = Math.abs(value) < 0.5 * 10 ** -digits ? 0 : value;
  const text = rounded.toFixed(digits);
  const sign = signed && rounded > 0 ? "+" : "";
  // U+2212 minus reads better than a hyphen in figures.
  const body = `${sign}${text}`.replace(/^-/, "\u2212");
  return unit ? `${body} ${unit}` : body;
}

/** "m:ss" for a time in seconds. */
export function clock(seconds) {
  if (!Number.isFinite(seconds)) return DASH;
  const whole = Math.max(0, Math.round(seconds));
  const m = Math.floor(whole / 60);
  const s = String(whole % 60).padStart(2, "0");
  return `${m}:${s}`;
}

/** "1.2 kHz" / "63 Hz" for a frequency. */
export function hz(value) {
  if (!Number.isFinite(value)) return DASH;
  if (value >= 1000) return `${(value / 1000).toFixed(value >= 10000 ? 0 : 1)} kHz`;
  return `${Math.round(value)} Hz`;
}

/** Human-readable byte count. */
export function bytes(n) {
  if (!Number.isFinite(n)) return DASH;
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Local date and time of an ISO timestamp. */
export function when(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Band key ("low_mid") to a label ("Low mid"). */
export function bandLabel(band) {
  const text = String(band).replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
