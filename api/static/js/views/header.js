// The one-line track header that replaces the upload form after the analysis: name, facts, and the jobs
// (replace the track, add a reference, upload a new version) that reopen the form for that job.

import { byId } from "../dom.js";
import { clock } from "../format.js";

/** Show the header for `track` (and `reference`), the upload form folded away. */
export function showTrackHeader(track, reference) {
  const file = (track.analysisJson && track.analysisJson.file) || {};
  byId("track-title").textContent = track.name;
  byId("track-meta").textContent = [
    `${file.format || ""} ${file.subtype || ""}`.trim(),
    file.sample_rate_hz ? `${(file.sample_rate_hz / 1000).toFixed(1)} kHz` : null,
    clock(file.duration_s),
    reference ? `reference: ${reference.name}` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  byId("add-reference").textContent = reference ? "Change reference" : "Add reference";
  byId("track-header").hidden = false;
  byId("upload-panel").hidden = true;
}

/** Back to the plain upload form (no track on the page). */
export function hideTrackHeader() {
  byId("track-header").hidden = true;
  byId("upload-panel").hidden = false;
}

/**
 * Hook for versions: show the "New version" button and run `handler()` when it is pressed. Call once; the
 * button (#new-version, data-hook="new-version") stays hidden until a module mounts it.
 */
export function mountNewVersion(handler) {
  const button = byId("new-version");
  button.hidden = false;
  button.addEventListener("click", () => handler());
}
