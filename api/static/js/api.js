// GraphQL over HTTP to the app's own /graphql: JSON queries and mutations, multipart uploads with progress.
// Every failure becomes an ApiError whose message is words a person can read.

export const ENDPOINT = "/graphql";

/** A failed operation: `code` is the server's extensions.code (or a transport code such as NETWORK). */
export class ApiError extends Error {
  constructor(message, { code = "INTERNAL", status = 0 } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}

const FRIENDLY = {
  NETWORK: "Could not reach the mixcoach server. Check that it is running, then try again.",
  PAYLOAD_TOO_LARGE: "That file is larger than this server accepts.",
  UNSUPPORTED_MEDIA: "That file is not an audio format mixcoach can read.",
  RATE_LIMITED: "Too many requests just now; wait a moment and try again.",
};

/** Turn a GraphQL response body (or a transport failure) into an ApiError. */
export function errorFrom(body, status) {
  const first = body && Array.isArray(body.errors) ? body.errors[0] : null;
  if (first) {
    const code = (first.extensions && first.extensions.code) || "INTERNAL";
    return new ApiError(first.message || FRIENDLY[code] || "The server reported an error.", { code, status });
  }
  if (status === 413) return new ApiError(FRIENDLY.PAYLOAD_TOO_LARGE, { code: "PAYLOAD_TOO_LARGE", status });
  if (status === 429) return new ApiError(FRIENDLY.RATE_LIMITED, { code: "RATE_LIMITED", status });
  return new ApiError(`The server answered with HTTP ${status}.`, { code: "HTTP", status });
}

async function parse(text, status) {
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Transport errors (400 "Unsupported content type", 413, proxies) come back as plain text.
    const words = (text || "").trim().slice(0, 300);
    throw new ApiError(words ? `The server said: ${words}` : `The server answered with HTTP ${status}.`, {
      code: status === 413 ? "PAYLOAD_TOO_LARGE" : "HTTP",
      status,
    });
  }
  if (!body || body.errors || status >= 400 || !body.data) throw errorFrom(body, status);
  return body.data;
}

/** POST one operation as JSON. `token` may be null (only createClient allows that). */
export async function request(query, variables = {}, { token = null, signal } = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      signal,
      credentials: "same-origin",
    });
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(FRIENDLY.NETWORK, { code: "NETWORK" });
  }
  return parse(await response.text(), response.status);
}

/**
 * Upload per the GraphQL multipart request spec (operations, map, "0") with XHR so progress can be shown.
 * `fileVar` names the Upload variable; `onProgress(fraction)` is called while the body is sent.
 */
export function upload(query, variables, { file, fileVar = "file", token, onProgress = () => {} }) {
  const operations = { query, variables: { ...variables, [fileVar]: null } };
  const form = new FormData();
  form.append("operations", JSON.stringify(operations));
  form.append("map", JSON.stringify({ 0: [`variables.${fileVar}`] }));
  form.append("0", file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", ENDPOINT);
    // A non-simple header forces a CORS preflight: the server's CSRF guard for multipart requests.
    xhr.setRequestHeader("Apollo-Require-Preflight", "true");
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      onProgress(1);
      parse(xhr.responseText, xhr.status).then(resolve, reject);
    });
    xhr.addEventListener("error", () => reject(new ApiError(FRIENDLY.NETWORK, { code: "NETWORK" })));
    xhr.addEventListener("abort", () => reject(new ApiError("The upload was cancelled.", { code: "ABORTED" })));
    xhr.send(form);
  });
}
