import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";

/** The HTTP/2 session a request came on (set per request from the Node request). */
export const connectionKey = createContextKey<object | undefined>(undefined, { description: "HTTP/2 session" });

const inFlight = new WeakMap<object, number>();

/**
 * At most `maxCalls` calls (streams included, until they end) in flight on one connection; the next one is
 * RESOURCE_EXHAUSTED rather than queued, so that one caller cannot hold every handler of the server. The HTTP/2
 * SETTINGS limit above it (see grpc-server.ts) bounds what a client that ignores this answer can open.
 */
export function callsPerConnection(maxCalls: number): Interceptor {
  return (next) => async (req) => {
    const connection = req.contextValues.get(connectionKey);
    if (!connection) return next(req);
    const open = inFlight.get(connection) ?? 0;
    if (open >= maxCalls) {
      throw new ConnectError(
        `${maxCalls} calls are already in flight on this connection; wait for some to finish or retry later`,
        Code.ResourceExhausted,
      );
    }
    inFlight.set(connection, open + 1);
    const release = once(() => inFlight.set(connection, (inFlight.get(connection) ?? 1) - 1));
    // A stream cancelled before its first message never runs releasedAtEnd's finally.
    req.signal.addEventListener("abort", release, { once: true });
    try {
      const res = await next(req);
      if (!res.stream) {
        release();
        return res;
      }
      return { ...res, message: releasedAtEnd(res.message, release) };
    } catch (err) {
      release();
      throw err;
    }
  };
}

async function* releasedAtEnd<T>(messages: AsyncIterable<T>, release: () => void): AsyncIterable<T> {
  try {
    yield* messages;
  } finally {
    release();
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
