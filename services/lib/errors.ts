/**
 * Errors the domain raises, free of any transport. The gRPC layer maps them to status codes in one
 * place (grpc-server.ts); messages are written for the person who will read them.
 */
export type ErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "failed_precondition"
  | "aborted"
  | "resource_exhausted"
  | "permission_denied"
  | "unavailable";

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalidArgument = (field: string, problem: string) =>
  new DomainError("invalid_argument", `${field}: ${problem}`);
export const notFound = (message: string) => new DomainError("not_found", message);
export const alreadyExists = (message: string) => new DomainError("already_exists", message);
export const failedPrecondition = (message: string) => new DomainError("failed_precondition", message);
/** A concurrency conflict: the same request may succeed when retried a little later. */
export const aborted = (message: string) => new DomainError("aborted", message);
/** A limit on what one caller or one server takes at once (open streams, say): retry later, or use fewer. */
export const resourceExhausted = (message: string) => new DomainError("resource_exhausted", message);
/** The caller is known but this is not theirs to do. */
export const permissionDenied = (message: string) => new DomainError("permission_denied", message);
export const unavailable = (message: string) => new DomainError("unavailable", message);
