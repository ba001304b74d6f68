import { DomainError } from "./errors.js";

/** For unit tests: "<kind>: <message>" of the DomainError that `fn` throws. */
export function domainProblem(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}: ${err.message}`;
    throw err;
  }
  throw new Error("expected a DomainError");
}
