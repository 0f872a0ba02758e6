// Feedback and follow-up forms: genre suggestions, stage and profile, suggested questions, the ask box.

import { gql } from "../auth.js";
import { byId, h, replace } from "../dom.js";
import { showError } from "../errors.js";
import { ASK_FOLLOWUP, GENRES, REQUEST_FEEDBACK } from "../operations.js";
import { selectedRange } from "../workspace/player.js";

/** Fill the genre <datalist> from the `genres` query (label and aliases help the browser match typing). */
export async function loadGenres() {
  try {
    const { genres } = await gql(GENRES);
    replace(
      byId("genre-list"),
      genres.map((g) => h("option", { value: g.name, label: [g.label, ...g.aliases].filter(Boolean).join(", ") })),
    );
    return genres;
  } catch (error) {
    showError(error, "Genre suggestions are unavailable.");
    return [];
  }
}

/** The feedback form's current choices. */
export function feedbackChoices() {
  return { genre: byId("genre").value.trim() || null, type: byId("stage").value, profile: byId("profile").value };
}

/** Put a session's saved genre back into the form. */
export function setGenre(genre) {
  byId("genre").value = genre || "";
}

/** Draw tappable suggested questions; tapping one asks it at once (errors shown in words, button busy meanwhile). */
export function renderSuggestions(questions, ask) {
  replace(
    byId("suggestions"),
    questions.map((q) =>
      h("li", {}, h("button", { type: "button", class: "suggestion", onclick: (e) => busy(e.currentTarget, () => ask(q)), text: q })),
    ),
  );
}

/** Wire the two forms. `submitFeedback(choices)` and `ask(question)` return promises; buttons stay disabled meanwhile. */
export function initCoach({ submitFeedback, ask }) {
  const feedbackForm = byId("feedback-form");
  feedbackForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(byId("feedback-button"), () => submitFeedback(feedbackChoices()));
  });
  byId("question-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = byId("question");
    const question = box.value.trim();
    if (!question) {
      showError({ message: "Type a question first.", code: "BAD_USER_INPUT" });
      box.focus();
      return;
    }
    const ok = await busy(byId("ask-button"), () => ask(question));
    if (ok) box.value = "";
  });
  // Ctrl/Cmd+Enter sends from the textarea, Enter alone adds a line.
  byId("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) byId("question-form").requestSubmit();
  });
}

async function busy(button, fn) {
  button.disabled = true;
  try {
    await fn();
    return true;
  } catch (error) {
    showError(error);
    return false;
  } finally {
    button.disabled = false;
  }
}

/** requestFeedback: returns the assistant message (STREAMING). */
export async function requestFeedback({ trackId, sessionId, referenceTrackId, genre, type, profile }) {
  const input = { trackId, type, profile };
  if (sessionId) input.sessionId = sessionId;
  if (referenceTrackId) input.referenceTrackId = referenceTrackId;
  if (genre) input.genre = genre;
  return (await gql(REQUEST_FEEDBACK, { input })).requestFeedback;
}

/** askFollowup: stores the question, returns the assistant message (STREAMING). */
export async function askFollowup({ sessionId, question, followupGroup }) {
  const input = { sessionId, question };
  if (followupGroup) input.followupGroup = followupGroup;
  const range = selectedRange(); // a moment selected on the overview travels with the question
  if (range) Object.assign(input, { startS: range.startS, endS: range.endS });
  return (await gql(ASK_FOLLOWUP, { input })).askFollowup;
}
