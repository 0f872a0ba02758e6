// The upload form: choose or drop a main track and an optional reference, upload them, wait for the analyses.

import { gqlUpload } from "../auth.js";
import { byId, replace } from "../dom.js";
import { showError } from "../errors.js";
import { bytes } from "../format.js";
import { UPLOAD_TRACK } from "../operations.js";
import { statusRow, waitForTrack } from "./tracking.js";

const chosen = { main: null, reference: null };

function nameLine(role) {
  return byId(role === "main" ? "file-main-name" : "file-ref-name");
}

function choose(role, file) {
  chosen[role] = file || null;
  nameLine(role).textContent = file ? `Selected: ${file.name} · ${bytes(file.size)}` : "";
}

/** Wire a drop zone: dragging highlights it, dropping picks the first file; the <input> still works alone. */
function wireDrop(zone) {
  const role = zone.dataset.role;
  const input = zone.querySelector("input[type=file]");
  input.addEventListener("change", () => choose(role, input.files[0]));
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) choose(role, file);
  });
}

/** Upload one file into its status row; resolves with the READY track. The reason of a failure is shown once,
 * in the page's alert, so the row only says that it failed. */
async function uploadAndWait(file, title, onAccepted) {
  const row = statusRow(title);
  byId("status").append(row.el);
  try {
    const data = await gqlUpload(UPLOAD_TRACK, { name: file.name }, { file, onProgress: (f) => row.setUpload(f) });
    onAccepted(data.uploadTrack);
    return await waitForTrack(data.uploadTrack, row);
  } catch (error) {
    row.fail("Failed (the reason is shown above).");
    throw error;
  }
}

/** Show the status panel with fresh rows. */
export function resetStatus() {
  byId("status-panel").hidden = false;
  replace(byId("status"));
}

/**
 * The form's job: "new" (a track, and a reference if chosen), "replace" (another track against the same
 * reference) or "reference" (a reference for the track on the page). Each hides the drop zone it does not use.
 */
export function setUploadMode(mode) {
  const form = byId("upload-form");
  form.dataset.mode = mode;
  document.querySelector('.drop[data-role="main"]').hidden = mode === "reference";
  document.querySelector('.drop[data-role="reference"]').hidden = mode === "replace";
  byId("upload-title").textContent = { new: "Upload", replace: "Replace the track", reference: "Add a reference" }[mode];
  byId("upload-button").textContent = mode === "reference" ? "Upload reference" : "Upload and analyse";
  byId("upload-cancel").hidden = mode === "new";
}

/**
 * Wire the form. `onStart(mode)` runs as an upload begins; `onUploaded({track, reference})` gets the ids as soon
 * as each upload is accepted (so the URL can remember them); `onReady({track, reference, referenceError})` gets
 * the READY tracks (null for one this job did not upload). A reference that fails does not hide a good track:
 * the track is shown and the reference's error comes as `referenceError`.
 */
export function initUpload({ onStart, onUploaded, onReady, onCancel = () => {} }) {
  document.querySelectorAll(".drop").forEach(wireDrop);
  const form = byId("upload-form");
  byId("upload-cancel").addEventListener("click", () => onCancel());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const mode = form.dataset.mode || "new";
    const needed = mode === "reference" ? "reference" : "main";
    if (!chosen[needed]) {
      const what = needed === "main" ? "a track" : "a reference track";
      showError({ message: `Choose ${what} to upload first.`, code: "BAD_USER_INPUT" });
      byId(needed === "main" ? "file-main" : "file-ref").focus();
      return;
    }
    const button = byId("upload-button");
    button.disabled = true;
    onStart(mode);
    resetStatus();
    try {
      const ids = { track: null, reference: null };
      const accepted = (key) => (track) => {
        ids[key] = track.id;
        onUploaded({ ...ids });
      };
      const main = mode === "reference" ? null : chosen.main;
      const ref = mode === "replace" ? null : chosen.reference;
      const mainJob = main ? uploadAndWait(main, `Track: ${main.name}`, accepted("track")) : Promise.resolve(null);
      const refJob = ref ? uploadAndWait(ref, `Reference: ${ref.name}`, accepted("reference")) : Promise.resolve(null);
      const [track, reference] = await Promise.allSettled([mainJob, refJob]);
      if (track.status === "rejected") throw track.reason;
      if (mode === "reference" && reference.status === "rejected") throw reference.reason;
      onReady({
        track: track.value,
        reference: reference.status === "fulfilled" ? reference.value : null,
        referenceError: reference.status === "rejected" ? reference.reason : null,
      });
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  });
}

/** Forget the chosen files (for "New upload"). */
export function resetUpload() {
  byId("upload-form").reset();
  choose("main", null);
  choose("reference", null);
  setUploadMode("new");
}
