// Entry point: wires the views together, keeps the page's state and restores it from the URL and the server.

import { gql } from "./auth.js";
import { byId, replace } from "./dom.js";
import { clearError, showError } from "./errors.js";
import { PAGE_SIZE, allNodes } from "./connection.js";
import { FINDINGS, SESSION, SESSION_MESSAGES, SET_SESSION_CHOICES, TRACK_QUERY } from "./operations.js";
import { readRoute, writeRoute } from "./route.js";
import { initCharts, redrawCharts, renderAnalysis, renderTargets } from "./views/analysis.js";
import { announce, reveal } from "./views/announce.js";
import { askFollowup, feedbackChoices, initCoach, loadGenres, renderSuggestions, requestFeedback, setChoices } from "./views/coach.js";
import { bandTargets, renderFindings } from "./views/findings.js";
import { hideTrackHeader, showTrackHeader } from "./views/header.js";
import { initHistory, refreshHistory } from "./views/history.js";
import { initTabs, setTabsAvailable, showTab } from "./views/tabs.js";
import { addMessage, messageElement, onMessageSettled, setThread } from "./views/thread.js";
import { statusRow, waitForTrack } from "./views/tracking.js";
import { initUpload, resetUpload, setUploadMode } from "./views/upload.js";
import { initExport } from "./workspace/export.js";
import { hideListening, initListening, showListening } from "./workspace/player.js";
import { hideVersions, initVersions, showVersions } from "./workspace/versions.js";

const state = { track: null, reference: null, sessionId: null, group: null };

/** Draw a READY track (and reference); `focus` moves the keyboard to the track header (after an upload). */
function showTracks(track, reference, { focus = false } = {}) {
  state.track = track;
  state.reference = reference;
  document.title = `${track.name} · mixcoach`;
  showTrackHeader(track, reference);
  setTabsAvailable(true);
  renderAnalysis(track, reference);
  showListening(track, reference);
  showVersions(track, reference);
  byId("coach").hidden = false;
  refreshFindings();
  if (focus) {
    byId("track-title").focus();
    announce(`Analysis of ${track.name} ready.`);
  }
}

let findingsAsked = 0;

/** Findings and genre targets for the current genre and stage: the badges, the suggestions and the target zones. */
async function refreshFindings() {
  if (!state.track) return;
  const { genre, type } = feedbackChoices();
  const asked = ++findingsAsked; // a quick second change of genre or stage wins over a slow first answer
  try {
    const data = await gql(FINDINGS, { id: state.track.id, genre, type, ref: state.reference ? state.reference.id : null });
    if (asked !== findingsAsked) return;
    const report = data.track.findings;
    renderFindings(report);
    renderTargets(state.track, state.reference, bandTargets(report.targets));
    // in a conversation the session's own list (reloadThread) leaves out what was already asked
    if (!state.sessionId) renderSuggestions(report.suggestedQuestions, ask);
  } catch (error) {
    if (asked !== findingsAsked) return;
    renderFindings(null);
    showError(error, "Could not compute the findings.");
  }
}

/** A changed genre, stage or profile re-judges the findings and, in a session, is stored with it on the server. */
async function choicesChanged() {
  refreshFindings();
  if (!state.sessionId) return;
  const { genre, type, profile } = feedbackChoices();
  try {
    await gql(SET_SESSION_CHOICES, { input: { id: state.sessionId, genre: genre || "", type, profile } });
    refreshHistory(state.sessionId);
  } catch (error) {
    showError(error, "Could not save your choice.");
  }
}

async function submitFeedback(choices) {
  clearError();
  const message = await requestFeedback({
    trackId: state.track.id,
    sessionId: state.sessionId,
    referenceTrackId: state.reference ? state.reference.id : null,
    ...choices,
  });
  state.sessionId = message.sessionId;
  state.group = message.id;
  writeRoute({ session: state.sessionId });
  addMessage(message);
  byId("chat").hidden = false;
  // The keyboard follows the new content: the answer being written, scrolled into view.
  const el = messageElement(message.id);
  if (el) {
    el.focus({ preventScroll: true });
    reveal(el);
  }
  announce("mixcoach is writing your feedback.");
  refreshHistory(state.sessionId);
}

async function ask(question) {
  clearError();
  if (!state.sessionId) throw new Error("Ask for feedback first; follow-up questions continue that conversation.");
  const answer = await askFollowup({ sessionId: state.sessionId, question, followupGroup: state.group });
  await reloadThread();
  // Focus stays where the user asked (the question box, ready for the next one); the answer comes into view.
  byId("question").focus({ preventScroll: true });
  const el = messageElement(answer.id);
  reveal(el);
  // A quick engine may have finished already (then no stream settles it later): say which it is.
  announce(el && el.dataset.status === "COMPLETE" ? "New answer from mixcoach." : "mixcoach is answering.");
  watchForSummary();
}

let summaryTimer = 0;

/**
 * The server writes a summary right after some follow-up answers (every N). No subscription announces it, so
 * after an answer look again a few times (1, 2, 4 and 8 s later) and stop as soon as the thread has grown.
 */
function watchForSummary(attempt = 0) {
  clearTimeout(summaryTimer);
  if (attempt >= 4 || !state.sessionId) return;
  const sessionId = state.sessionId;
  const size = () => byId("thread").children.length + byId("summary-note").children.length;
  summaryTimer = setTimeout(async () => {
    const before = size();
    const summary = byId("summary-note").querySelector("[data-message-id]");
    const summaryBefore = summary ? summary.dataset.messageId : null;
    try {
      if (state.sessionId !== sessionId) return;
      await reloadThread();
      const after = byId("summary-note").querySelector("[data-message-id]");
      if (size() === before && (after ? after.dataset.messageId : null) === summaryBefore) watchForSummary(attempt + 1);
    } catch {
      watchForSummary(attempt + 1);
    }
  }, 1000 * 2 ** attempt);
}

/**
 * Re-read the session's messages (every page) so the thread (questions, answers, summaries) is exactly what the
 * server holds, however long the conversation.
 */
async function reloadThread() {
  if (!state.sessionId) return null;
  const id = state.sessionId;
  const { session } = await gql(SESSION, { id });
  const nextPage = async (after) => (await gql(SESSION_MESSAGES, { id, first: PAGE_SIZE, after })).session.messages;
  const messages = await allNodes(nextPage, session.messages);
  setThread(messages);
  if (id === state.sessionId) renderSuggestions(session.suggestedQuestions, ask);
  const feedback = messages.filter((m) => m.kind === "FEEDBACK");
  state.group = feedback.length ? feedback[feedback.length - 1].id : null;
  byId("chat").hidden = feedback.length === 0;
  return session;
}

/** Wait for a track that is not READY yet, with a status row; resolves with the READY track. */
function ensureReady(track, title) {
  if (!track || track.status === "READY") return Promise.resolve(track);
  byId("status-panel").hidden = false;
  const row = statusRow(title);
  byId("status").append(row.el);
  return waitForTrack(track, row).catch((error) => {
    row.fail("Failed (the reason is shown above)."); // the page's alert says why, once
    throw error;
  });
}

async function restoreSession(id) {
  state.sessionId = id;
  const session = await reloadThread();
  setChoices(session);
  replace(byId("status"));
  const [track, reference] = await Promise.all([
    ensureReady(session.track, `Track: ${session.track.name}`),
    ensureReady(session.referenceTrack, "Reference"),
  ]);
  showTracks(track, reference || null);
}

async function restoreTracks(trackId, referenceId) {
  const fetchTrack = async (id) => (id ? (await gql(TRACK_QUERY, { id })).track : null);
  const [track, reference] = await Promise.all([fetchTrack(trackId), fetchTrack(referenceId)]);
  replace(byId("status"));
  const ready = await Promise.all([ensureReady(track, `Track: ${track.name}`), ensureReady(reference, "Reference")]);
  showTracks(ready[0], ready[1]);
}

/** Forget the current track and conversation (the status rows stay: an upload may be filling them). */
function clearWork() {
  Object.assign(state, { track: null, reference: null, sessionId: null, group: null });
  for (const id of ["analysis", "coach", "chat"]) byId(id).hidden = true;
  hideListening();
  hideVersions();
  setTabsAvailable(false);
  hideTrackHeader();
  setThread([]);
  clearError();
}

function resetPage() {
  clearWork();
  byId("status-panel").hidden = true;
  replace(byId("status"));
}

async function route() {
  const { session, track, reference, anchor } = readRoute();
  if (anchor) return; // a plain in-page anchor typed into the address bar: not a place to restore
  if (session && session === state.sessionId) return;
  resetPage();
  try {
    if (session) await restoreSession(session);
    else if (track) await restoreTracks(track, reference);
  } catch (error) {
    showError(error, "Could not restore this page.");
  }
  refreshHistory(state.sessionId, state.sessionId ? null : track);
}

/**
 * In-page links (#main, #findings) move focus without touching the hash, which holds the page's place
 * (#s=…); route links (#s=…, #t=…) and the home link (#) are left to the browser and the hashchange handler.
 */
function jumpInPage(event) {
  const link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
  const id = link ? link.getAttribute("href").slice(1) : "";
  const target = id && !id.includes("=") ? document.getElementById(id) : null;
  if (!target) return;
  event.preventDefault();
  const pane = target.closest("[role=tabpanel]");
  if (pane) showTab(pane.id === "coach" ? "coach" : pane.id.replace("pane-", "")); // on a phone, open its tab
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "start" });
}

/** The header's jobs reopen the upload form in a mode; Cancel folds it again. */
function openUpload(mode) {
  setUploadMode(mode);
  byId("upload-panel").hidden = false;
  byId(mode === "reference" ? "file-ref" : "file-main").focus();
}

function startUpload(mode) {
  if (mode === "new") {
    clearWork();
    writeRoute({});
    refreshHistory();
    return;
  }
  clearError();
  if (mode === "replace") {
    const reference = state.reference;
    clearWork();
    state.reference = reference;
  }
}

function uploaded(ids) {
  const reference = ids.reference || (state.reference ? state.reference.id : null);
  if (ids.track) writeRoute({ track: ids.track, reference });
  else if (!state.sessionId && state.track) writeRoute({ track: state.track.id, reference });
}

function ready({ track, reference, referenceError }) {
  const shownTrack = track || state.track;
  const shownReference = reference || (referenceError ? null : state.reference);
  if (referenceError) {
    showError(referenceError, "The reference could not be analysed; the track is shown without it.");
    writeRoute(state.sessionId ? { session: state.sessionId } : { track: shownTrack.id });
  }
  if (!shownTrack) return;
  if (!referenceError) byId("status-panel").hidden = true; // done: the header now says what is on the page
  showTracks(shownTrack, shownReference, { focus: true });
  refreshHistory(state.sessionId, state.sessionId ? null : shownTrack.id);
}

function start() {
  initUpload({
    onStart: startUpload,
    onUploaded: uploaded,
    onReady: ready,
    onCancel: () => {
      byId("upload-panel").hidden = true;
      byId("replace-track").focus();
    },
  });
  initCoach({ submitFeedback, ask });
  initListening();
  initVersions();
  initExport();
  initCharts();
  initTabs({ shown: (name) => name === "charts" && redrawCharts() });
  initHistory({
    onDeleted: ({ kind, id }) => {
      const showing = kind === "session" ? state.sessionId === id : state.track && state.track.id === id;
      if (!showing) return;
      writeRoute({});
      resetPage();
    },
  });
  onMessageSettled((message) => {
    const el = messageElement(message.id);
    if (message.status === "COMPLETE" && message.role === "ASSISTANT") {
      announce(message.kind === "FEEDBACK" ? "Your feedback is ready." : "New answer from mixcoach.");
      reveal(el);
    }
    if (message.kind === "FOLLOWUP") {
      reloadThread().then(() => watchForSummary(), (error) => showError(error));
    }
  });
  byId("genre").addEventListener("change", choicesChanged);
  byId("stage").addEventListener("change", choicesChanged);
  byId("profile").addEventListener("change", choicesChanged);
  byId("new-upload").addEventListener("click", () => {
    writeRoute({});
    resetPage();
    resetUpload();
    setChoices({ genre: "" }); // a new track starts with no genre (stage and detail stay as the user set them)
    refreshHistory();
    byId("file-main").focus();
  });
  byId("replace-track").addEventListener("click", () => openUpload("replace"));
  byId("add-reference").addEventListener("click", () => openUpload("reference"));
  document.addEventListener("click", jumpInPage);
  window.addEventListener("hashchange", route);
  loadGenres();
  route();
}

start();
