// Polite announcements for screen readers (#announcer, aria-live): a new answer, a finished analysis.

import { byId } from "../dom.js";

let timer = 0;

/** Say `text` once; the same words twice in a row are said twice (the region is emptied first). */
export function announce(text) {
  const el = byId("announcer");
  el.textContent = "";
  clearTimeout(timer);
  timer = setTimeout(() => {
    el.textContent = text;
  }, 50);
}

/** Bring `el` into view (smoothly unless the user asked for less motion) without moving the focus. */
export function reveal(el) {
  if (!el) return;
  const still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  el.scrollIntoView({ block: "nearest", behavior: still ? "auto" : "smooth" });
}
