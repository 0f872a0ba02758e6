// A status row per track: upload progress, then live analysis progress from trackEvents until READY or FAILED.

import { ApiError } from "../api.js";
import { gql } from "../auth.js";
import { h } from "../dom.js";
import { TRACK_EVENTS, TRACK_QUERY } from "../operations.js";
import { subscribe } from "../ws.js";

const POLL_MS = 2000;

/** A row with a label, a <progress> and a line of words; update it with setUpload / setTrack. */
export function statusRow(title) {
  const bar = h("progress", { max: "1", value: "0", "aria-label": `${title} progress` });
  const words = h("span", { class: "status-words", text: "Waiting…" });
  const clock = h("span", { class: "status-clock muted" });
  const el = h("div", { class: "status-row", dataset: { state: "pending" } }, h("strong", { text: title }), bar, words, clock);
  const started = Date.now();
  const timer = setInterval(() => {
    clock.textContent = `${Math.round((Date.now() - started) / 1000)} s`;
  }, 1000);
  const row = {
    el,
    setUpload(fraction) {
      bar.value = fraction;
      words.textContent = fraction < 1 ? `Uploading… ${Math.round(fraction * 100)} %` : "Uploaded; waiting for the analyser…";
      el.dataset.state = "uploading";
    },
    setTrack(track, stage = null) {
      el.dataset.state = track.status.toLowerCase();
      if (track.status === "READY") {
        bar.value = 1;
        words.textContent = "Analysis ready.";
        row.stop();
      } else if (track.status === "FAILED") {
        words.textContent = `Analysis failed: ${track.errorMessage || track.errorCode || "unknown reason"}`;
        row.stop();
      } else if (track.status === "QUEUED") {
        bar.removeAttribute("value"); // indeterminate while it waits for a worker
        words.textContent = "Queued for analysis…";
      } else {
        bar.value = Math.max(0, Math.min(1, track.progress || 0));
        words.textContent = `Analysing${stage ? `: ${stage}` : ""}… ${Math.round((track.progress || 0) * 100)} %`;
      }
    },
    warn(message) {
      words.textContent = message;
    },
    fail(message) {
      el.dataset.state = "failed";
      words.textContent = message;
      row.stop();
    },
    stop() {
      clearInterval(timer);
    },
  };
  return row;
}

function failure(track) {
  return new ApiError(track.errorMessage || "The analysis failed.", { code: track.errorCode || "INVALID_AUDIO" });
}

/**
 * Resolve with the READY track (analysisJson included) or reject with its error. Listens on trackEvents and,
 * if the live connection drops, falls back to polling `track` so a long analysis never loses its indicator.
 */
export function waitForTrack(track, row) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let stop = () => {};
    let poller = null;
    const settle = (t) => {
      if (settled) return true;
      row.setTrack(t, t.stage);
      if (t.status !== "READY" && t.status !== "FAILED") return false;
      settled = true;
      stop();
      clearInterval(poller);
      if (t.status === "FAILED") reject(failure(t));
      else if (t.analysisJson) resolve(t);
      else gql(TRACK_QUERY, { id: t.id }).then((d) => resolve(d.track), reject);
      return true;
    };
    const poll = () =>
      gql(TRACK_QUERY, { id: track.id }).then(
        (d) => settle(d.track),
        (e) => {
          if (e.code === "NOT_FOUND") {
            settled = true;
            stop();
            clearInterval(poller);
            row.fail(e.message);
            reject(e);
          } else if (poller) row.warn(`${e.message} Retrying…`);
        },
      );
    if (settle(track)) return;
    stop = subscribe(TRACK_EVENTS, { trackId: track.id }, {
      next: (data) => {
        const ev = data.trackEvents;
        const current = ev.track || { ...track, status: ev.status, progress: ev.progress, errorCode: ev.errorCode, errorMessage: ev.errorMessage };
        settle({ ...current, stage: ev.stage });
      },
      error: () => {
        if (!settled && !poller) poller = setInterval(poll, POLL_MS);
      },
      complete: () => {
        if (!settled) poll();
      },
    });
    // The analysis may already have finished before the subscription started: check once.
    poll();
  });
}
