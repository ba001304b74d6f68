import { createGrpcTransport } from "@connectrpc/connect-node";
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { identityOfSubjectAltName, type Identity } from "./tls/identity.js";
import type { TlsMaterial } from "./tls/tls-material.js";

export interface GrpcClientOptions {
  /** The identity the server must prove with its certificate (its SPIFFE ID), whatever address it is reached at. */
  server: Identity;
  /** Deadline of each call unless the call sets its own. */
  timeoutMs: number;
  /** false: never ask for gzip answers (bulk lookups on the same network, where it would only cost CPU). */
  gzip?: boolean;
}

/**
 * What connect-node reports for a call the network or the server dropped, as Unavailable (retry, maybe elsewhere):
 * - a connection reset (e.g. cut during the TLS handshake) arrives as Aborted, which our servers use for "a
 *   concurrent change won, retry". A server's own Aborted arrives in the trailers and carries no socket error as its
 *   cause;
 * - a stream closed under the call by the server's side (its process killed mid-call) arrives as Canceled. Only a
 *   call whose own signal was aborted was canceled by us.
 */
export const droppedCallsAreUnavailable: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    if (!(err instanceof ConnectError)) throw err;
    const reset = err.code === Code.Aborted && err.cause instanceof Error && !(err.cause instanceof ConnectError);
    const dropped = err.code === Code.Canceled && !req.signal.aborted;
    if (reset || dropped) throw new ConnectError(err.rawMessage, Code.Unavailable, undefined, undefined, err.cause);
    throw err;
  }
};

/**
 * A gRPC transport to one of our services over mutual TLS: our certificate proves who we are, and the server's
 * must come from the same CA and name the service we meant to reach (checked instead of the host name, as SPIFFE
 * does: another identity's certificate cannot stand in for the ledger). One per target service, kept for the life
 * of the process.
 */
export function grpcTransport(baseUrl: string, tls: TlsMaterial, opts: GrpcClientOptions): Transport {
  if (!baseUrl.startsWith("https://"))
    throw new Error(`${baseUrl}: our gRPC services are reached over TLS only (https://host:port)`);
  return createGrpcTransport({
    baseUrl,
    defaultTimeoutMs: opts.timeoutMs,
    pingIntervalMs: 30_000,
    interceptors: [droppedCallsAreUnavailable],
    nodeOptions: {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      checkServerIdentity: (_host, cert) => {
        const proven = identityOfSubjectAltName(cert.subjectaltname);
        return proven === opts.server
          ? undefined
          : new Error(
              `${baseUrl} is not the ${opts.server} service: its certificate names ${proven ?? "no identity of ours"}`,
            );
      },
    },
    ...(opts.gzip === false ? { acceptCompression: [] } : {}),
  });
}
