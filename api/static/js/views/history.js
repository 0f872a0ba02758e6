// The list of this browser's sessions (newest first); each links to #s=<id>, which restores it from the server.

import { gql } from "../auth.js";
import { byId, h, replace } from "../dom.js";
import { describe } from "../errors.js";
import { when } from "../format.js";
import { PAGE_SIZE, allNodes } from "../connection.js";
import { SESSIONS } from "../operations.js";

/** Fetch and draw the whole session list (every page); `current` (a session id) is marked with aria-current. */
export async function refreshHistory(current = null) {
  const list = byId("history-list");
  const empty = byId("history-empty");
  try {
    const sessions = await allNodes(async (after) => (await gql(SESSIONS, { first: PAGE_SIZE, after })).sessions);
    empty.hidden = sessions.length > 0;
    replace(
      list,
      sessions.map((s) =>
        h(
          "li",
          {},
          h(
            "a",
            { href: `#s=${encodeURIComponent(s.id)}`, class: "history-item", "aria-current": s.id === current ? "page" : null, dataset: { sessionId: s.id } },
            h("span", { class: "history-title", text: s.title || s.track.name }),
            h("span", { class: "muted small", text: [s.genre, s.referenceTrack ? `vs ${s.referenceTrack.name}` : null, when(s.updatedAt)].filter(Boolean).join(" · ") }),
          ),
        ),
      ),
    );
  } catch (error) {
    empty.hidden = false;
    empty.textContent = `Could not load the history: ${describe(error)}`;
  }
}
