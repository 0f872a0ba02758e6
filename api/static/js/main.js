// Entry point: wires the views together, keeps the page's state and restores it from the URL and the server.

import { gql } from "./auth.js";
import { byId, replace } from "./dom.js";
import { clearError, showError } from "./errors.js";
import { PAGE_SIZE, allNodes } from "./connection.js";
import { FINDINGS, SESSION, SESSION_MESSAGES, TRACK_QUERY } from "./operations.js";
import { readRoute, writeRoute } from "./route.js";
import { renderAnalysis, renderTargets } from "./views/analysis.js";
import { askFollowup, feedbackChoices, initCoach, loadGenres, renderSuggestions, requestFeedback, setGenre } from "./views/coach.js";
import { bandTargets, renderFindings } from "./views/findings.js";
import { refreshHistory } from "./views/history.js";
import { addMessage, onMessageSettled, setThread } from "./views/thread.js";
import { statusRow, waitForTrack } from "./views/tracking.js";
import { initUpload, resetUpload } from "./views/upload.js";
import { initExport } from "./workspace/export.js";
import { hideListening, initListening, showListening } from "./workspace/player.js";
import { hideVersions, initVersions, showVersions } from "./workspace/versions.js";

const state = { track: null, reference: null, sessionId: null, group: null };

function showTracks(track, reference) {
  state.track = track;
  state.reference = reference;
  document.title = `${track.name} · mixcoach`;
  renderAnalysis(track, reference);
  showListening(track, reference);
  showVersions(track, reference);
  byId("coach").hidden = false;
  refreshFindings();
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
  refreshHistory(state.sessionId);
}

async function ask(question) {
  clearError();
  if (!state.sessionId) throw new Error("Ask for feedback first; follow-up questions continue that conversation.");
  await askFollowup({ sessionId: state.sessionId, question, followupGroup: state.group });
  await reloadThread();
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
  summaryTimer = setTimeout(async () => {
    const before = byId("thread").children.length;
    try {
      if (state.sessionId !== sessionId) return;
      await reloadThread();
      if (byId("thread").children.length === before) watchForSummary(attempt + 1);
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
  return waitForTrack(track, row);
}

async function restoreSession(id) {
  state.sessionId = id;
  const session = await reloadThread();
  setGenre(session.genre);
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
  refreshHistory(state.sessionId);
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
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "start" });
}

function start() {
  initUpload({
    onStart: () => {
      clearWork();
      writeRoute({});
      refreshHistory();
    },
    onUploaded: (ids) => writeRoute(ids),
    onReady: ({ track, reference }) => showTracks(track, reference),
  });
  initCoach({ submitFeedback, ask });
  initListening();
  initVersions();
  initExport();
  onMessageSettled((message) => {
    if (message.kind === "FOLLOWUP") {
      reloadThread().then(() => watchForSummary(), (error) => showError(error));
    }
  });
  byId("genre").addEventListener("change", refreshFindings);
  byId("stage").addEventListener("change", refreshFindings);
  byId("new-upload").addEventListener("click", () => {
    writeRoute({});
    resetPage();
    resetUpload();
    byId("file-main").focus();
  });
  document.addEventListener("click", jumpInPage);
  window.addEventListener("hashchange", route);
  loadGenres();
  route();
}

start();
