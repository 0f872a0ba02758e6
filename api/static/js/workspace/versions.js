// Versions: upload a new bounce as the next version of this track, list the versions, and show what changed since
// the previous one (figures side by side, findings fixed / still there / new, band and section deltas).

import { gql, gqlUpload } from "../auth.js";
import { byId, h, replace } from "../dom.js";
import { showError } from "../errors.js";
import { clock, num } from "../format.js";
import { statusRow, waitForTrack } from "../views/tracking.js";
import { UPLOAD_VERSION, VERSION_COMPARISON } from "./operations.js";

let current = null; // { track, reference }
let asked = 0;

const BAND_NAMES = { sub: "Sub", bass: "Bass", low_mid: "Low mids", mid: "Mids", high_mid: "High mids", presence: "Presence", air: "Air" };

function choices() {
  const genre = byId("genre").value.trim() || null;
  return { genre, type: byId("stage").value };
}

function spanText(f) {
  const t = (f.timeRanges || [])[0];
  return t ? h("button", { type: "button", class: "seek-time", dataset: { seek: t.startS }, text: clock(t.startS) }) : null;
}

function findingList(title, cls, findings) {
  if (!findings.length) return null;
  return h("div", { class: `version-group ${cls}` },
    h("h4", { text: `${title} (${findings.length})` }),
    h("ul", { class: "version-findings" }, findings.map((f) => h("li", { dataset: { finding: f.id } }, f.title, " ", spanText(f)))));
}

function figuresTable(cmp) {
  const rows = cmp.figures.filter((f) => f.before !== null || f.after !== null).map((f) => {
    const unit = f.unit === "count" ? "" : f.unit;
    const digits = f.unit === "count" ? 0 : f.unit === "" ? 2 : 1;
    return h("tr", { dataset: { key: f.key } },
      h("th", { scope: "row", text: f.label }),
      h("td", { text: num(f.before, { digits, unit }) }),
      h("td", { text: num(f.after, { digits, unit }) }),
      h("td", { class: f.delta ? "delta" : "", text: num(f.delta, { digits, unit: unit === "LUFS" ? "LU" : unit, signed: true }) }));
  });
  return h("div", { class: "table-wrap" }, h("table", { class: "version-figures" },
    h("caption", { text: `Figures: v${cmp.previousVersion} and v${cmp.version}` }),
    h("thead", {}, h("tr", {}, ["Measure", `v${cmp.previousVersion}`, `v${cmp.version}`, "Change"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, rows)));
}

function bandsLine(cmp) {
  const parts = cmp.bandDeltasDb.filter((b) => Math.abs(b.deltaDb) >= 0.5)
    .map((b) => `${BAND_NAMES[b.band] || b.band} ${num(b.deltaDb, { signed: true, unit: "dB" })}`);
  return h("p", { class: "muted small", text: parts.length
    ? `Band balance since v${cmp.previousVersion} (relative to the mix): ${parts.join(", ")}.`
    : `Band balance unchanged since v${cmp.previousVersion} (within 0.5 dB).` });
}

function sectionsTable(cmp) {
  if (!cmp.sections.length) return null;
  return h("div", { class: "table-wrap" }, h("table", { class: "version-sections" },
    h("caption", { text: "Per section, change in loudness and width" }),
    h("thead", {}, h("tr", {}, ["Section", "Starts", "Loudness", "Width"].map((t) => h("th", { scope: "col", text: t })))),
    h("tbody", {}, cmp.sections.map((s) => h("tr", {},
      h("th", { scope: "row", text: s.label }),
      h("td", {}, h("button", { type: "button", class: "seek-time", dataset: { seek: s.startS }, text: clock(s.startS) })),
      h("td", { text: num(s.loudnessDeltaLu, { signed: true, unit: "LU" }) }),
      h("td", { text: num(s.sideToMidDeltaDb, { signed: true, unit: "dB" }) }))))));
}

function renderComparison(track) {
  const cmp = track.versionComparison;
  if (!cmp) return h("p", { class: "muted", text: "This is the first version. Upload the next bounce here to see what it fixed." });
  const still = cmp.still.map((c) => c.after);
  return h("div", { class: "version-comparison", dataset: { resolved: String(cmp.resolved.length) } },
    h("p", { class: "version-summary", text: `Since v${cmp.previousVersion}: ${cmp.resolved.length} fixed, ${still.length} still there, ${cmp.new.length} new.` }),
    h("button", { type: "button", class: "secondary", id: "ask-fixed", onclick: askWhatWasFixed, text: "Ask the coach: did I fix what you flagged?" }),
    findingList("Fixed", "resolved", cmp.resolved),
    findingList("Still there", "still", still),
    findingList("New", "new", cmp.new),
    figuresTable(cmp),
    bandsLine(cmp),
    sectionsTable(cmp));
}

/** Put the question to the coach in this version's conversation (feedback on it first, so the thread exists). */
function askWhatWasFixed() {
  if (byId("chat").hidden) {
    showError({ message: "Get feedback on this version first; then the coach compares it with the previous one.", code: "BAD_USER_INPUT" });
    byId("feedback-button").focus();
    return;
  }
  byId("question").value = "Did I fix what you flagged?";
  byId("question-form").requestSubmit();
}

function chain(track) {
  return h("ol", { class: "version-chain" }, track.versions.map((v) =>
    h("li", {}, v.id === track.id
      ? h("strong", { "aria-current": "page", text: `v${v.version}` })
      : h("a", { href: `#t=${encodeURIComponent(v.id)}`, text: `v${v.version}` }))));
}

/** Re-read the comparison for the current genre and stage (a later answer wins over an earlier slow one). */
export async function refreshVersions() {
  if (!current) return;
  const call = ++asked;
  try {
    const { track } = await gql(VERSION_COMPARISON, { id: current.track.id, ...choices() });
    if (call !== asked) return;
    replace(byId("version-chain"), chain(track));
    replace(byId("version-body"), renderComparison(track));
    byId("versions-title").textContent = `Versions (this is v${track.version})`;
  } catch (error) {
    if (call !== asked) return;
    replace(byId("version-body"), h("p", { class: "muted", text: error.message }));
  }
}

async function uploadVersion(file) {
  if (!current || !file) return;
  const row = statusRow(`New version of ${current.track.name}`);
  byId("status-panel").hidden = false;
  byId("status").append(row.el);
  try {
    const { uploadTrack } = await gqlUpload(UPLOAD_VERSION, { previous: current.track.id }, { file, onProgress: (f) => row.setUpload(f) });
    const ready = await waitForTrack(uploadTrack, row);
    const reference = current.reference ? `&r=${encodeURIComponent(current.reference.id)}` : "";
    window.location.hash = `t=${encodeURIComponent(ready.id)}${reference}`;
  } catch (error) {
    showError(error, "The new version could not be analysed.");
  }
}

export function showVersions(track, reference = null) {
  current = { track, reference };
  byId("versions").hidden = false;
  refreshVersions();
}

export function hideVersions() {
  current = null;
  byId("versions").hidden = true;
}

export function initVersions() {
  const input = byId("file-version");
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.value = "";
    uploadVersion(file);
  });
  byId("genre").addEventListener("change", refreshVersions);
  byId("stage").addEventListener("change", refreshVersions);
}
