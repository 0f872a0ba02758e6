// History: this browser's sessions (newest first, each links to #s=<id>) and its tracks that have no session yet
// (#t=<id>), each with rename and delete. Everything is re-read from the server after a change.

import { gql } from "../auth.js";
import { byId, h, replace } from "../dom.js";
import { describe, showError } from "../errors.js";
import { when } from "../format.js";
import { PAGE_SIZE, allNodes } from "../connection.js";
import { DELETE_SESSION, DELETE_TRACK, RENAME_SESSION, RENAME_TRACK, SESSIONS, TRACKS } from "../operations.js";

const STAGE_WORDS = { MIXDOWN: "mixdown", MASTERING: "mastering", MASTER_REVIEW: "master review" };
let hooks = { onDeleted: () => {} };
let shown = { session: null, track: null };

/** `onDeleted({kind, id})` runs after a delete (so the page can forget what it showed). */
export function initHistory(options) {
  hooks = { ...hooks, ...options };
}

const KINDS = {
  session: { rename: RENAME_SESSION, field: "title", remove: DELETE_SESSION, noun: "session" },
  track: { rename: RENAME_TRACK, field: "name", remove: DELETE_TRACK, noun: "track" },
};

/** Swap the item's link for a small form: Enter or Save renames, Escape or Cancel goes back. */
function startRename(li, { kind, id, title }) {
  const spec = KINDS[kind];
  const input = h("input", { type: "text", value: title, maxlength: "255", "aria-label": `New name for ${title}`, class: "rename-input" });
  const cancel = () => refreshHistory(shown.session, shown.track).then(() => focusItem(kind, id, "rename"));
  const form = h(
    "form",
    { class: "rename-form", onsubmit: async (event) => {
      event.preventDefault();
      try {
        await gql(spec.rename, { id, [spec.field]: input.value });
        await refreshHistory(shown.session, shown.track);
        focusItem(kind, id, "link");
      } catch (error) {
        showError(error, `Could not rename the ${spec.noun}.`);
        input.focus();
      }
    } },
    input,
    h("button", { type: "submit", class: "small-button", text: "Save" }),
    h("button", { type: "button", class: "small-button secondary", onclick: cancel, text: "Cancel" }),
  );
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") cancel();
  });
  replace(li, form);
  input.focus();
  input.select();
}

/** First press asks "Delete?" in place; the second deletes. Leaving the button puts it back. */
async function pressDelete(button, { kind, id, title }) {
  if (button.dataset.armed !== "true") {
    button.dataset.armed = "true";
    button.textContent = "Delete?";
    button.setAttribute("aria-label", `Press again to delete ${title}`);
    button.addEventListener("blur", () => disarm(button, title), { once: true });
    return;
  }
  button.disabled = true;
  try {
    await gql(KINDS[kind].remove, { id });
    hooks.onDeleted({ kind, id });
    await refreshHistory(shown.session, shown.track);
    byId("history-title").setAttribute("tabindex", "-1");
    byId("history-title").focus();
  } catch (error) {
    button.disabled = false;
    showError(error, `Could not delete the ${KINDS[kind].noun}.`);
  }
}

function disarm(button, title) {
  button.dataset.armed = "false";
  button.textContent = "Delete";
  button.setAttribute("aria-label", `Delete ${title}`);
}

function focusItem(kind, id, part) {
  const li = byId("history").querySelector(`li[data-kind="${kind}"][data-id="${CSS.escape(id)}"]`);
  const target = li && (part === "rename" ? li.querySelector("button.rename") : li.querySelector("a"));
  if (target) target.focus();
}

function item({ kind, id, title, meta, href, currentPage }) {
  const li = h("li", { class: "history-row", dataset: { kind, id } });
  const link = h(
    "a",
    { href, class: "history-item", "aria-current": currentPage ? "page" : null, dataset: kind === "session" ? { sessionId: id } : { trackId: id } },
    h("span", { class: "history-title", text: title }),
    h("span", { class: "muted small", text: meta }),
  );
  const rename = h("button", { type: "button", class: "small-button secondary rename", "aria-label": `Rename ${title}`, text: "Rename" });
  const remove = h("button", { type: "button", class: "small-button secondary delete", "aria-label": `Delete ${title}`, text: "Delete" });
  rename.addEventListener("click", () => startRename(li, { kind, id, title }));
  remove.addEventListener("click", () => pressDelete(remove, { kind, id, title }));
  li.append(link, h("div", { class: "history-tools" }, rename, remove));
  return li;
}

/**
 * Fetch and draw both lists (every page). `current` (a session id) or `currentTrack` (a track shown without a
 * session) is marked with aria-current.
 */
export async function refreshHistory(current = null, currentTrack = null) {
  shown = { session: current, track: currentTrack };
  // The lists are rebuilt: a link or button that had the focus gets it back in its new row.
  const active = document.activeElement;
  const row = active && active.closest ? active.closest("#history li[data-kind]") : null;
  const again = row ? { kind: row.dataset.kind, id: row.dataset.id, part: active.matches("button.rename") ? "rename" : "link" } : null;
  const list = byId("history-list");
  const empty = byId("history-empty");
  try {
    const [sessions, tracks] = await Promise.all([
      allNodes(async (after) => (await gql(SESSIONS, { first: PAGE_SIZE, after })).sessions),
      allNodes(async (after) => (await gql(TRACKS, { first: PAGE_SIZE, after })).tracks),
    ]);
    empty.hidden = sessions.length > 0 || tracks.length > 0;
    empty.textContent = "No sessions yet. Ask for feedback on a track to start one.";
    replace(
      list,
      sessions.map((s) =>
        item({
          kind: "session",
          id: s.id,
          title: s.title || s.track.name,
          meta: [s.genre, STAGE_WORDS[s.stage], s.referenceTrack ? `vs ${s.referenceTrack.name}` : null, when(s.updatedAt)].filter(Boolean).join(" · "),
          href: `#s=${encodeURIComponent(s.id)}`,
          currentPage: s.id === current,
        }),
      ),
    );
    // Uploads with no conversation of their own (a reference used by a session is not listed again).
    const used = new Set(sessions.flatMap((s) => [s.track.id, s.referenceTrack ? s.referenceTrack.id : null]));
    const loose = tracks.filter((t) => !used.has(t.id));
    byId("history-tracks-title").hidden = loose.length === 0;
    replace(
      byId("history-tracks"),
      loose.map((t) =>
        item({
          kind: "track",
          id: t.id,
          title: t.name,
          meta: [t.status === "READY" ? null : t.status.toLowerCase(), when(t.createdAt)].filter(Boolean).join(" · "),
          href: `#t=${encodeURIComponent(t.id)}`,
          currentPage: !current && t.id === currentTrack,
        }),
      ),
    );
    if (again && (document.activeElement === document.body || !document.activeElement.isConnected)) {
      focusItem(again.kind, again.id, again.part);
    }
  } catch (error) {
    empty.hidden = false;
    empty.textContent = `Could not load the history: ${describe(error)}`;
  }
}
