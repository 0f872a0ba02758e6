// The page's place lives in the URL hash (#s=<session> or #t=<track>&r=<reference>) so a reload restores it.

/** Parse the current hash into { session, track, reference } (each a string id or null). */
export function readRoute() {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  return { session: params.get("s"), track: params.get("t"), reference: params.get("r") };
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
