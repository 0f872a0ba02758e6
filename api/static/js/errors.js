// One place that turns failures into words on the page (role="alert"), and clears them again.

import { byId } from "./dom.js";

const PREFIX = {
  UNSUPPORTED_MEDIA: "Unsupported file",
  INVALID_AUDIO: "Unreadable audio",
  BAD_USER_INPUT: "Please check your input",
  NOT_FOUND: "Not found",
  PAYLOAD_TOO_LARGE: "File too large",
  RATE_LIMITED: "Slow down",
  QUOTA_EXCEEDED: "Limit reached",
  NETWORK: "Connection problem",
  UNAUTHENTICATED: "Access problem",
};

/** Words for an error: "<Kind>: <server message>". */
export function describe(error) {
  const message = (error && error.message) || String(error);
  const prefix = error && PREFIX[error.code];
  return prefix ? `${prefix}: ${message}` : message;
}

/** Show `error` in the page-level alert region. */
export function showError(error, context = "") {
  const el = byId("error");
  el.textContent = context ? `${context} ${describe(error)}` : describe(error);
  el.hidden = false;
}

export function clearError() {
  const el = byId("error");
  el.textContent = "";
  el.hidden = true;
}
