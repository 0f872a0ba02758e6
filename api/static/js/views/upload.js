// The upload form: choose or drop a main track and an optional reference, upload them, wait for the analyses.

import { gqlUpload } from "../auth.js";
import { byId, replace } from "../dom.js";
import { describe, showError } from "../errors.js";
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

/** Upload one file into its status row; resolves with the READY track. */
async function uploadAndWait(file, title, onAccepted) {
  const row = statusRow(title);
  byId("status").append(row.el);
  try {
    const data = await gqlUpload(UPLOAD_TRACK, { name: file.name }, { file, onProgress: (f) => row.setUpload(f) });
    onAccepted(data.uploadTrack);
    return await waitForTrack(data.uploadTrack, row);
  } catch (error) {
    row.fail(describe(error));
    throw error;
  }
}

/** Show the status panel with fresh rows. */
export function resetStatus() {
  byId("status-panel").hidden = false;
  replace(byId("status"));
}

/**
 * Wire the form. `onStart()` runs as an upload begins (the page forgets the previous track and conversation);
 * `onUploaded({track, reference})` gets the ids as soon as each upload is accepted (so the URL
 * can remember them); `onReady({track, reference})` gets the tracks when both analyses are READY.
 */
export function initUpload({ onStart, onUploaded, onReady }) {
  document.querySelectorAll(".drop").forEach(wireDrop);
  const form = byId("upload-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosen.main) {
      showError({ message: "Choose a track to upload first.", code: "BAD_USER_INPUT" });
      byId("file-main").focus();
      return;
    }
    const button = byId("upload-button");
    button.disabled = true;
    onStart();
    resetStatus();
    try {
      const ids = { track: null, reference: null };
      const accepted = (key) => (track) => {
        ids[key] = track.id;
        onUploaded({ ...ids });
      };
      const pending = [uploadAndWait(chosen.main, `Track: ${chosen.main.name}`, accepted("track"))];
      if (chosen.reference) {
        pending.push(uploadAndWait(chosen.reference, `Reference: ${chosen.reference.name}`, accepted("reference")));
      }
      const [track, reference = null] = await Promise.all(pending);
      onReady({ track, reference });
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
}
