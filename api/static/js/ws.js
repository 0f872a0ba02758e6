// Minimal graphql-transport-ws client: one lazily opened socket to the app's own /graphql, many subscriptions.
// connection_init carries {"authorization": "Bearer <token>"}; ping is answered with pong.

import { ApiError, errorFrom } from "./api.js";
import { forget, token } from "./auth.js";

const PROTOCOL = "graphql-transport-ws";
const IDLE_CLOSE_MS = 15000;
let socket = null; // { ws, ready: Promise, token }
const subs = new Map(); // id -> { handlers, payload }
let nextId = 1;
let idleTimer = null;

function url() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/graphql`;
}

function closeError(event, authToken) {
  // 4401 Unauthorized / 4403 Forbidden: the token was refused; the next connection makes a fresh client.
  if (event.code === 4401 || event.code === 4403) {
    forget(authToken);
    return new ApiError("The server did not accept this browser's access token. Reload to continue.", {
      code: "UNAUTHENTICATED",
    });
  }
  const reason = event.reason ? ` (${event.reason})` : "";
  return new ApiError(`The live connection to the server closed${reason}.`, { code: "NETWORK" });
}

async function connect() {
  if (socket) return socket.ready;
  const authToken = await token();
  const ws = new WebSocket(url(), PROTOCOL);
  const current = { ws, token: authToken, acked: false };
  current.ready = new Promise((resolve, reject) => {
    ws.addEventListener("open", () => {
      ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${authToken}` } }));
    });
    ws.addEventListener("message", (event) => {
      const msg = JSON.parse(event.data);
      if (msg.type === "connection_ack") {
        current.acked = true;
        resolve(current);
      } else dispatch(msg, ws);
    });
    ws.addEventListener("close", (event) => {
      if (socket === current) socket = null;
      const error = closeError(event, authToken);
      if (!current.acked) reject(error);
      for (const [id, sub] of subs) {
        if (sub.socket === current) {
          subs.delete(id);
          sub.handlers.error(error);
        }
      }
    });
  });
  socket = current;
  return current.ready;
}

function dispatch(msg, ws) {
  if (msg.type === "ping") {
    ws.send(JSON.stringify({ type: "pong" }));
    return;
  }
  const sub = subs.get(msg.id);
  if (!sub) return;
  if (msg.type === "next") {
    if (msg.payload && msg.payload.errors && msg.payload.errors.length) {
      subs.delete(msg.id);
      sub.handlers.error(errorFrom(msg.payload, 200));
    } else sub.handlers.next(msg.payload.data);
  } else if (msg.type === "error") {
    subs.delete(msg.id);
    sub.handlers.error(errorFrom({ errors: msg.payload }, 200));
  } else if (msg.type === "complete") {
    subs.delete(msg.id);
    sub.handlers.complete();
  }
  scheduleIdleClose();
}

function scheduleIdleClose() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (subs.size === 0 && socket) {
      socket.ws.close(1000, "idle");
      socket = null;
    }
  }, IDLE_CLOSE_MS);
}

/**
 * Start a subscription. Handlers: next(data), error(ApiError), complete(). Returns a function that stops it.
 * Errors always arrive through `error`, including a failed connection.
 */
export function subscribe(query, variables, { next = () => {}, error = () => {}, complete = () => {} }) {
  const id = String(nextId++);
  let stopped = false;
  const handlers = { next, error, complete };
  connect().then(
    (current) => {
      if (stopped) return;
      subs.set(id, { handlers, socket: current });
      current.ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
    },
    (failure) => {
      if (!stopped) error(failure instanceof ApiError ? failure : new ApiError(String(failure), { code: "NETWORK" }));
    },
  );
  return () => {
    stopped = true;
    const sub = subs.get(id);
    if (sub) {
      subs.delete(id);
      if (sub.socket.ws.readyState === WebSocket.OPEN) sub.socket.ws.send(JSON.stringify({ id, type: "complete" }));
    }
    scheduleIdleClose();
  };
}
