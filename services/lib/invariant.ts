/**
 * A condition the code relies on and that only a bug can break (never bad input: that is a DomainError). Thrown as
 * an InvariantViolation, which reaches a caller as INTERNAL and names what broke in the logs.
 */
export class InvariantViolation extends Error {
  constructor(what: string) {
    super(`invariant broken: ${what}`);
    this.name = "InvariantViolation";
  }
}

/** Asserts `condition`; `what` says what should hold, e.g. "the locked payment has a PSP payment id". */
export function invariant(condition: unknown, what: string): asserts condition {
  if (!condition) throw new InvariantViolation(what);
}

/** `value`, which must be present (not undefined or null): the named replacement for a non-null assertion `value!`. */
export function present<T>(value: T | undefined | null, what: string): T {
  invariant(value !== undefined && value !== null, what);
  return value;
}
