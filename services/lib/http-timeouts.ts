import http from "node:http";

export interface HttpTimeouts {
  /** From a request's first byte to the end of its headers (a client trickling headers holds a connection). */
  headersMs: number;
  /** From a request's first byte to the end of its body. */
  requestMs: number;
  /** How long a kept-alive connection may wait for its next request. */
  keepAliveMs: number;
  /** How long a socket may see no traffic at all, whatever its request is doing, before it is destroyed. */
  idleMs: number;
  /** How often the header and request limits are checked (Node's default, 30 s, lets a slow client stay that much longer). */
  checkEveryMs: number;
}

// Our pages and webhooks are small and answered well within the idle limit (the console's slowest calls give up
// after 10 s).
export const HTTP_TIMEOUTS: HttpTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  idleMs: 60_000,
  checkEveryMs: 1_000,
};

/** An HTTP/1.1 server with limits on slow and idle clients, so that they cannot hold its connections open. */
export function httpServerWithTimeouts(
  handler?: http.RequestListener,
  timeouts: HttpTimeouts = HTTP_TIMEOUTS,
): http.Server {
  const options: http.ServerOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: timeouts.checkEveryMs,
  };
  const server = handler ? http.createServer(options, handler) : http.createServer(options);
  server.setTimeout(timeouts.idleMs);
  return server;
}
