// Listen: the track and the reference in two <audio> elements, switched A/B at matched loudness, with the overview
// to seek and to select a range to ask about. Any element with data-seek="<seconds>" seeks when clicked: finding
// spans, section chips, timestamps in answers; a click on the loudness chart seeks to that time.

import { gql } from "../auth.js";
import { byId, h, replace } from "../dom.js";
import { showError } from "../errors.js";
import { clock, num } from "../format.js";
import { AUDIO_URL } from "./operations.js";
import { OVERVIEW, overview, timeAt } from "./waveform.js";

const state = { track: null, reference: null, side: "A", gainDb: 0, range: null, view: null, duration: 0 };
const rangeListeners = new Set();

/** The time range selected on the overview ({startS, endS} in seconds), or null. */
export function selectedRange() {
  return state.range;
}

export function onRangeChange(listener) {
  rangeListeners.add(listener);
}

/** Gain in dB that brings the reference to the track's loudness: track minus reference integrated LUFS. */
export function matchedGainDb(track, reference) {
  const t = track && track.analysisJson && track.analysisJson.loudness ? track.analysisJson.loudness.integrated_lufs : null;
  const r = reference && reference.analysisJson && reference.analysisJson.loudness ? reference.analysisJson.loudness.integrated_lufs : null;
  return Number.isFinite(t) && Number.isFinite(r) ? Math.round((t - r) * 100) / 100 : 0;
}

/** A media element can only turn down: the louder of the two is lowered by the difference. */
export function abVolumes(gainDb) {
  return { track: gainDb > 0 ? 10 ** (-gainDb / 20) : 1, reference: gainDb < 0 ? 10 ** (gainDb / 20) : 1 };
}

function abNote(gainDb, reference) {
  if (!reference) return "Add a reference to compare A/B at matched loudness.";
  const diff = num(Math.abs(gainDb), { unit: "dB" });
  if (Math.abs(gainDb) < 0.05) return "A/B: the two are already at the same loudness.";
  return gainDb > 0
    ? `A/B at matched loudness: your track is ${diff} louder than the reference, so it plays ${diff} lower.`
    : `A/B at matched loudness: the reference is ${diff} louder than your track, so it plays ${diff} lower.`;
}

const audio = (side) => byId(side === "A" ? "audio-track" : "audio-ref");
const active = () => audio(state.side);

async function loadSource(el, track) {
  const { track: t } = await gql(AUDIO_URL, { id: track.id });
  el.src = t.audioUrl.url;
  el.dataset.trackId = track.id;
}

/** An expired link fails the next range request: fetch a new one and carry on from the same moment. */
function renewOnError(el, which) {
  el.addEventListener("error", async () => {
    const track = which === "A" ? state.track : state.reference;
    if (!track || el.dataset.renewed === track.id) return;
    el.dataset.renewed = track.id;
    const at = el.currentTime;
    try {
      await loadSource(el, track);
      el.currentTime = at;
    } catch (error) {
      showError(error, "Could not load the audio.");
    }
  });
}

function setTimeText() {
  const el = active();
  byId("play-time").textContent = `${clock(el.currentTime || 0)} / ${clock(state.duration)}`;
  if (state.view) state.view.setPlayhead(el.currentTime || 0);
  const box = byId("overview-box");
  box.setAttribute("aria-valuenow", String(Math.round(el.currentTime || 0)));
  box.setAttribute("aria-valuetext", clock(el.currentTime || 0));
}

/** Seek both players to `seconds` (they stay in step for A/B); `play` starts the one being listened to. */
export function seekTo(seconds, { play = false } = {}) {
  if (!state.track) return;
  const t = Math.min(Math.max(0, Number(seconds) || 0), state.duration || Number(seconds) || 0);
  for (const side of state.reference ? ["A", "B"] : ["A"]) audio(side).currentTime = t;
  setTimeText();
  if (play) active().play().catch(() => {}); // autoplay refusals leave the player paused, never an error
}

function togglePlay() {
  const el = active();
  if (el.paused) el.play().catch((error) => showError(error, "The audio could not start."));
  else el.pause();
}

function switchAB() {
  if (!state.reference) return;
  const from = active();
  const playing = !from.paused;
  from.pause();
  state.side = state.side === "A" ? "B" : "A";
  const to = active();
  to.currentTime = from.currentTime;
  if (playing) to.play().catch(() => {});
  const button = byId("ab-button");
  button.setAttribute("aria-pressed", String(state.side === "B"));
  button.textContent = state.side === "A" ? "A: your track (switch to B)" : "B: reference (switch to A)";
  byId("listen").dataset.side = state.side;
}

function setRange(range) {
  state.range = range && range.endS - range.startS >= 0.5 ? range : null;
  if (state.view) state.view.setSelection(state.range);
  const text = state.range ? `${clock(state.range.startS)}–${clock(state.range.endS)}` : "";
  byId("range-text").textContent = state.range ? `Selected ${text}` : "Drag across the overview to select a moment.";
  byId("ask-moment").hidden = !state.range;
  byId("clear-range").hidden = !state.range;
  const note = document.getElementById("question-range");
  if (note) {
    note.hidden = !state.range;
    note.textContent = state.range ? `About ${text} of the track (the selected range).` : "";
  }
  for (const listener of rangeListeners) listener(state.range);
}

function pointerTime(event, box) {
  const rect = box.getBoundingClientRect();
  return timeAt(((event.clientX - rect.left) / Math.max(1, rect.width)) * OVERVIEW.width, state.duration);
}

/** Click to seek, drag to select a range; keyboard: arrows seek 5 s, [ and ] set the range's ends, Esc clears. */
function wireOverview(box) {
  let start = null;
  let dragged = false;
  box.addEventListener("pointerdown", (event) => {
    start = pointerTime(event, box);
    dragged = false;
    box.setPointerCapture(event.pointerId);
  });
  box.addEventListener("pointermove", (event) => {
    if (start === null) return;
    const t = pointerTime(event, box);
    if (Math.abs(t - start) > state.duration / 200) dragged = true;
    if (dragged) state.view.setSelection({ startS: Math.min(start, t), endS: Math.max(start, t) });
  });
  box.addEventListener("pointerup", (event) => {
    if (start === null) return;
    const t = pointerTime(event, box);
    if (dragged) setRange({ startS: Math.round(Math.min(start, t) * 10) / 10, endS: Math.round(Math.max(start, t) * 10) / 10 });
    else seekTo(t);
    start = null;
  });
  box.addEventListener("keydown", (event) => {
    const now = active().currentTime || 0;
    const keys = {
      ArrowLeft: () => seekTo(now - 5),
      ArrowRight: () => seekTo(now + 5),
      Home: () => seekTo(0),
      End: () => seekTo(state.duration),
      "[": () => setRange({ startS: now, endS: state.range ? Math.max(state.range.endS, now + 1) : Math.min(state.duration, now + 5) }),
      "]": () => setRange({ startS: state.range ? Math.min(state.range.startS, now - 1) : Math.max(0, now - 5), endS: now }),
      Escape: () => setRange(null),
      " ": togglePlay,
    };
    if (!keys[event.key]) return;
    event.preventDefault();
    keys[event.key]();
  });
}

function sectionChips(analysis) {
  return (analysis.sections || []).map((sec) =>
    h("li", {}, h("button", { type: "button", class: "seek-time chip", dataset: { seek: sec.start_s }, text: `${sec.label} ${clock(sec.start_s)}` })),
  );
}

/** Show the player for a READY track (and its reference): sources, overview, A/B gain. */
export async function showListening(track, reference = null) {
  const panel = byId("listen");
  const analysis = track.analysisJson || {};
  Object.assign(state, { track, reference, side: "A", duration: (analysis.file && analysis.file.duration_s) || track.durationS || 0 });
  state.gainDb = matchedGainDb(track, reference);
  const vol = abVolumes(state.gainDb);
  state.view = overview(analysis, state.duration);
  replace(byId("overview-box"), state.view.svg);
  replace(byId("section-chips"), sectionChips(analysis));
  panel.hidden = false;
  panel.dataset.side = "A";
  panel.dataset.abGainDb = String(state.gainDb);
  byId("ab-button").hidden = !reference;
  byId("ab-button").setAttribute("aria-pressed", "false");
  byId("ab-button").textContent = "A: your track (switch to B)";
  byId("ab-note").textContent = abNote(state.gainDb, reference);
  byId("overview-box").setAttribute("aria-valuemax", String(Math.round(state.duration)));
  setRange(null);
  const [a, b] = [audio("A"), audio("B")];
  a.volume = vol.track;
  b.volume = vol.reference;
  b.pause();
  try {
    await Promise.all([loadSource(a, track), reference ? loadSource(b, reference) : Promise.resolve()]);
  } catch (error) {
    showError(error, "Could not load the audio.");
  }
  setTimeText();
}

export function hideListening() {
  const panel = byId("listen");
  panel.hidden = true;
  for (const side of ["A", "B"]) {
    const el = audio(side);
    el.pause();
    el.removeAttribute("src");
  }
  Object.assign(state, { track: null, reference: null, range: null });
}

/** Time in seconds at a click on the loudness chart (its plot spans the viewBox minus the frame's margins). */
function chartTime(event, svg) {
  const box = svg.viewBox.baseVal;
  const rect = svg.getBoundingClientRect();
  const x = ((event.clientX - rect.left) / Math.max(1, rect.width)) * box.width;
  const [left, right] = [44, 12]; // charts/frame.js wideSize margins
  const fraction = (x - left) / (box.width - left - right);
  return fraction >= 0 && fraction <= 1 ? fraction * state.duration : null;
}

/** Turn m:ss times in the coach's answers into seek buttons (text only: the answer itself is never re-parsed). */
function linkTimes(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("button, code, pre, a")) continue;
    if (/\b\d{1,2}:[0-5]\d\b/.test(node.nodeValue)) found.push(node);
  }
  for (const node of found) {
    const parts = node.nodeValue.split(/(\b\d{1,2}:[0-5]\d\b)/);
    const pieces = parts.map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const [m, sec] = part.split(":").map(Number);
      return h("button", { type: "button", class: "seek-time", dataset: { seek: m * 60 + sec }, title: `Play from ${part}`, text: part });
    });
    node.replaceWith(...pieces);
  }
}

export function initListening() {
  renewOnError(audio("A"), "A");
  renewOnError(audio("B"), "B");
  for (const side of ["A", "B"]) audio(side).addEventListener("timeupdate", setTimeText);
  for (const side of ["A", "B"]) {
    audio(side).addEventListener("play", () => { byId("play-button").textContent = "Pause"; });
    audio(side).addEventListener("pause", () => { byId("play-button").textContent = "Play"; });
  }
  byId("play-button").addEventListener("click", togglePlay);
  byId("ab-button").addEventListener("click", switchAB);
  byId("clear-range").addEventListener("click", () => setRange(null));
  byId("ask-moment").addEventListener("click", () => {
    const chat = byId("chat");
    if (chat.hidden) {
      showError({ message: "Ask for feedback first; then ask about the selected moment.", code: "BAD_USER_INPUT" });
      byId("feedback-button").focus();
      return;
    }
    const box = byId("question");
    if (!box.value.trim()) box.value = "What is happening here?";
    box.focus();
    box.scrollIntoView({ block: "center" });
  });
  wireOverview(byId("overview-box"));
  const form = byId("question-form");
  if (!document.getElementById("question-range")) {
    form.insertBefore(h("p", { id: "question-range", class: "muted small", hidden: true }), byId("question"));
  }
  document.addEventListener("click", (event) => {
    const target = event.target.closest ? event.target.closest("[data-seek]") : null;
    if (target && state.track) {
      event.preventDefault();
      seekTo(Number(target.dataset.seek), { play: true });
      return;
    }
    const svg = event.target.closest ? event.target.closest("#chart-loudness svg") : null;
    const t = svg && state.track ? chartTime(event, svg) : null;
    if (t !== null) seekTo(t, { play: true });
  });
  const thread = byId("thread");
  new MutationObserver(() => {
    for (const body of thread.querySelectorAll(".role-assistant .msg-body")) linkTimes(body);
  }).observe(thread, { childList: true, subtree: true });
}
