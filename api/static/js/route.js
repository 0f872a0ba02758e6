// The page's place lives in the URL hash (#s=<session> or #t=<track>&r=<reference>) so a reload restores it.

/**
 * Parse the current hash into { session, track, reference } (each a string id or null); `anchor` is true for a
 * plain in-page anchor such as #main, which is not a place.
 */
export function readRoute() {
  const raw = window.location.hash.replace(/^#/, "");
  const params = new URLSearchParams(raw);
  return { session: params.get("s"), track: params.get("t"), reference: params.get("r"), anchor: raw !== "" && !raw.includes("=") };
}

/** Replace the hash without adding a browser history entry per step; `null` values are dropped. */
export function writeRoute({ session = null, track = null, reference = null }) {
  const params = new URLSearchParams();
  if (session) params.set("s", session);
  else {
    if (track) params.set("t", track);
    if (reference) params.set("r", reference);
  }
  const hash = params.toString();
  const url = `${window.location.pathname}${window.location.search}${hash ? `#${hash}` : ""}`;
  window.history.replaceState(null, "", url);
}
