// The client token: created once with createClient, kept in localStorage, replaced if the server rejects it.

import { ApiError, request, upload } from "./api.js";
import { CREATE_CLIENT } from "./operations.js";

const KEY = "mixcoach.token";
let pending = null;

function stored() {
  try {
    return window.localStorage.getItem(KEY);
  } catch {
    return null; // storage disabled: fall back to a per-page token
  }
}

function store(token) {
  try {
    window.localStorage.setItem(KEY, token);
  } catch {
    // Private mode without storage: the token lives only for this page.
  }
}

let memoryToken = null;

/** The current token, creating a client on first visit. Concurrent callers share one createClient call. */
export async function token() {
  const existing = memoryToken || stored();
  if (existing) {
    memoryToken = existing;
    return existing;
  }
  if (!pending) {
    pending = request(CREATE_CLIENT, {})
      .then((data) => {
        memoryToken = data.createClient.token;
        store(memoryToken);
        return memoryToken;
      })
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

/** Forget a rejected token so the next call creates a fresh client. */
export function forget(rejected) {
  if (memoryToken === rejected) memoryToken = null;
  try {
    if (window.localStorage.getItem(KEY) === rejected) window.localStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}

/** Run `fn(token)`; if the server says UNAUTHENTICATED, make a new client once and retry. */
async function withToken(fn) {
  const first = await token();
  try {
    return await fn(first);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "UNAUTHENTICATED") throw error;
    forget(first);
    return fn(await token());
  }
}

/** An authenticated query or mutation. */
export function gql(query, variables = {}) {
  return withToken((t) => request(query, variables, { token: t }));
}

/** An authenticated multipart upload with progress. */
export function gqlUpload(query, variables, options) {
  return withToken((t) => upload(query, variables, { ...options, token: t }));
}
