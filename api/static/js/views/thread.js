// The conversation: one <li> per message, assistant text streamed from messageStream and rendered as safe Markdown.

import { gql } from "../auth.js";
import { byId, h, replace } from "../dom.js";
import { describe } from "../errors.js";
import { setMarkdown } from "../markdown.js";
import { MESSAGE_QUERY, MESSAGE_STREAM, RETRY_MESSAGE } from "../operations.js";
import { subscribe } from "../ws.js";

const live = new Map(); // message id -> { el, text, stop, attempts, frame }
const MAX_RESUBSCRIBE = 3;
let onSettled = () => {};

const ROLE_LABEL = { USER: "You", ASSISTANT: "mixcoach", SUMMARY: "Summary so far" };

function engineText(msg) {
  if (!msg.engine) return "";
  const model = msg.model && msg.model !== msg.engine ? ` (${msg.model})` : "";
  return msg.engine === "builtin" ? `answered by the builtin offline engine${model}` : `answered by ${msg.engine}${model}`;
}

function metaText(msg) {
  const parts = [];
  if (msg.kind === "FEEDBACK") {
    parts.push([msg.genre, msg.feedbackType && msg.feedbackType.toLowerCase().replace("_", " "), msg.profile && msg.profile.toLowerCase()].filter(Boolean).join(" · "));
  }
  if (msg.status === "STREAMING") parts.push("writing…");
  // Who answered is said once there is an answer: not while it is written, not on a failed one.
  if (msg.role !== "USER" && msg.status === "COMPLETE") parts.push(engineText(msg));
  return parts.filter(Boolean).join(" · ");
}

function groundingText(msg) {
  const g = msg.grounding;
  if (!g || msg.status !== "COMPLETE") return null;
  if (g.fullyGrounded) return `Every figure quoted traces to a measurement (${g.traced.length}).`;
  return `${g.untraced.length} figure(s) in this answer could not be traced to a measurement.`;
}

/** Build (or rebuild) the element for a message. */
function messageEl(msg, text = msg.content) {
  const body = h("div", { class: "msg-body" });
  if (msg.role === "USER") body.textContent = text; // the user's words, verbatim, never parsed
  else setMarkdown(body, text);
  const failed = msg.status === "FAILED";
  return h(
    "li",
    {
      class: `msg role-${msg.role.toLowerCase()} kind-${msg.kind.toLowerCase()}`,
      dataset: { messageId: msg.id, status: msg.status },
      tabindex: "-1", // focus can be moved to a new answer (not a tab stop)
      // While text streams in, screen readers wait and announce the finished answer once.
      "aria-busy": msg.status === "STREAMING" ? "true" : null,
    },
    h("div", { class: "msg-head" },
      h("strong", { text: ROLE_LABEL[msg.role] || msg.role }),
      h("span", { class: "msg-meta muted small", text: metaText(msg) }),
    ),
    body,
    groundingText(msg) ? h("p", { class: "muted small", text: groundingText(msg) }) : null,
    failed ? h("p", { class: "msg-error", role: "alert", text: `This answer failed: ${msg.error || msg.errorCode || "unknown error"}` }) : null,
    failed ? h("button", { type: "button", class: "secondary retry", onclick: () => retry(msg.id), text: "Retry this answer" }) : null,
  );
}

/**
 * The running summary is a note above the conversation, folded by default (a <details>), not a message in it:
 * only the latest one is shown, and it keeps its open/closed state while it is rewritten.
 */
function summaryEl(msg, text = msg.content) {
  const host = byId("summary-note");
  const old = host.querySelector("details");
  const body = h("div", { class: "msg-body" });
  setMarkdown(body, text);
  const note = h(
    "details",
    { class: "note", dataset: { messageId: msg.id, status: msg.status }, "aria-busy": msg.status === "STREAMING" ? "true" : null },
    h("summary", {}, h("strong", { text: "Summary so far" }), " ", h("span", { class: "muted small", text: msg.status === "STREAMING" ? "writing…" : "" })),
    body,
  );
  if (old && old.open) note.open = true;
  replace(host, note);
  host.hidden = false;
  return note;
}

function put(msg, text) {
  if (msg.role === "SUMMARY") return summaryEl(msg, text);
  const thread = byId("thread");
  const el = messageEl(msg, text);
  const old = thread.querySelector(`[data-message-id="${CSS.escape(msg.id)}"]`);
  if (old) {
    const hadFocus = document.activeElement === old;
    old.replaceWith(el);
    if (hadFocus) el.focus({ preventScroll: true }); // a rebuilt message keeps the focus it had
  } else thread.append(el);
  return el;
}

/** The element showing message `id` (in the thread or the summary note), or null. */
export function messageElement(id) {
  return document.querySelector(`#thread [data-message-id="${CSS.escape(id)}"], #summary-note [data-message-id="${CSS.escape(id)}"]`);
}

/** Show a message; assistant messages still STREAMING are followed live. */
export function addMessage(msg) {
  put(msg);
  if (msg.status === "STREAMING") follow(msg);
}

/** Replace the whole thread (e.g. after a reload). */
export function setThread(messages) {
  for (const entry of live.values()) entry.stop();
  live.clear();
  const focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest("[data-message-id]") : null;
  const focusedId = focused ? focused.dataset.messageId : null;
  replace(byId("thread"));
  replace(byId("summary-note"));
  byId("summary-note").hidden = true;
  messages.forEach(addMessage);
  // Re-reading the thread must not drop the keyboard focus a message had.
  const again = focusedId ? messageElement(focusedId) : null;
  if (again) again.focus({ preventScroll: true });
}

/** Called with the final message whenever a stream finishes (COMPLETE or FAILED). */
export function onMessageSettled(fn) {
  onSettled = fn;
}

function follow(msg) {
  const prior = live.get(msg.id);
  if (prior) prior.stop();
  const entry = { msg, text: "", attempts: prior ? prior.attempts : 0, frame: 0, stop: () => {} };
  live.set(msg.id, entry);
  const paint = () => {
    entry.frame = 0;
    const host = messageElement(msg.id);
    const body = host && host.querySelector(".msg-body");
    if (body) setMarkdown(body, entry.text);
  };
  entry.stop = subscribe(MESSAGE_STREAM, { messageId: msg.id }, {
    next: (data) => {
      const ev = data.messageStream;
      entry.text += ev.delta || "";
      if (ev.done && ev.message) return finish(ev.message);
      if (!entry.frame) entry.frame = requestAnimationFrame(paint);
    },
    error: (error) => recover(msg, error),
    complete: () => recover(msg, null),
  });
}

function finish(message) {
  const entry = live.get(message.id);
  if (entry) {
    cancelAnimationFrame(entry.frame);
    entry.stop();
    live.delete(message.id);
  }
  put(message);
  onSettled(message);
}

/** The stream ended without a final event: ask the server where the message stands and resume or settle. */
async function recover(msg, error) {
  const entry = live.get(msg.id);
  if (!entry) return;
  try {
    const { message } = await gql(MESSAGE_QUERY, { id: msg.id });
    if (message.status !== "STREAMING") return finish(message);
    if (entry.attempts >= MAX_RESUBSCRIBE) throw error || new Error("The live answer stopped arriving.");
    entry.attempts += 1;
    setTimeout(() => follow(message), 1000 * entry.attempts);
  } catch (failure) {
    live.delete(msg.id);
    const el = put(msg, entry.text);
    el.append(h("p", { class: "msg-error", role: "alert", text: `Lost the live answer: ${describe(failure)} Reload to see it when it finishes.` }));
  }
}

async function retry(id) {
  const el = messageElement(id);
  const button = el && el.querySelector("button.retry");
  if (button) button.disabled = true;
  try {
    const { retryMessage } = await gql(RETRY_MESSAGE, { id });
    addMessage(retryMessage);
  } catch (error) {
    if (button) button.disabled = false;
    if (el) el.append(h("p", { class: "msg-error", role: "alert", text: `Retry failed: ${describe(error)}` }));
  }
}
