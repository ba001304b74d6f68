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
export const unavailable = (message: string) => new DomainError("unavailable", message);
