import type { Http2ServerRequest } from "node:http2";
import type { TLSSocket } from "node:tls";
import { identityOfSubjectAltName, type Identity } from "../tls/identity.js";

export type PeerAuthentication = { ok: true; identity: Identity } | { ok: false; reason: string };

// One answer per TLS connection: the certificate cannot change under it, and reading it on every call costs. Its
// expiry is kept, so that a long-lived connection stops being trusted when its certificate ends.
const byConnection = new WeakMap<TLSSocket, { auth: PeerAuthentication; validUntil: number }>();

/** Who is at the other end of a request's mutual-TLS connection, or why nobody we know is. */
export function authenticatePeer(req: Http2ServerRequest): PeerAuthentication {
  // On HTTP/2, req.socket is a new proxy per request; the session's socket is the connection itself.
  const socket = req.stream.session?.socket as TLSSocket | undefined;
  if (!socket || typeof socket.getPeerCertificate !== "function") return { ok: false, reason: "not a TLS connection" };
  let known = byConnection.get(socket);
  if (!known) {
    known = { auth: authenticateSocket(socket), validUntil: Date.parse(socket.getPeerCertificate().valid_to ?? "") };
    byConnection.set(socket, known);
  }
  if (known.auth.ok && !(Date.now() < known.validUntil))
    return { ok: false, reason: "the client certificate has expired; reconnect with a current one" };
  return known.auth;
}

function authenticateSocket(socket: TLSSocket): PeerAuthentication {
  if (!socket.authorized) {
    const reason = socket.authorizationError ? String(socket.authorizationError) : "no client certificate";
    return { ok: false, reason: `client certificate refused (${reason}); present one issued by the platform's CA` };
  }
  const cert = socket.getPeerCertificate();
  const identity = identityOfSubjectAltName(cert.subjectaltname);
  if (!identity)
    return {
      ok: false,
      reason: `the client certificate names no known identity (${cert.subjectaltname ?? "no subject alternative names"})`,
    };
  return { ok: true, identity };
}
