import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { isTransientStoreError } from "./store-errors.js";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("isTransientStoreError", () => {
  it("says yes to what a failover looks like from node-postgres and knex", () => {
    for (const err of [
      new Error("Connection terminated unexpectedly"),
      new Error("Connection terminated"),
      new Error("ROLLBACK - Client has encountered a connection error and is not queryable"),
      new Error("Connection ended unexpectedly"),
      withCode("ECONNREFUSED"),
      withCode("ECONNRESET"),
      withCode("EPIPE"),
      withCode("ETIMEDOUT"),
      Object.assign(new Error("Knex: Timeout acquiring a connection. The pool is probably full."), {
        name: "KnexTimeoutError",
      }),
      withCode("08006"),
      withCode("08001"),
      withCode("57P01"),
      withCode("57P02"),
      withCode("57P03"),
      withCode("25006", "cannot execute INSERT in a read-only transaction"),
      withCode("40001"),
      withCode("40P01"),
      new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")], "connect failed"),
      Object.assign(new Error("wrapped"), { cause: new Error("Connection terminated unexpectedly") }),
    ]) {
      expect(isTransientStoreError(err), String(err)).toBe(true);
    }
  });

  it("says no to what the request itself caused, and to what is no error", () => {
    for (const err of [
      withCode("23505"),
      withCode("23514"),
      withCode("42P01"),
      withCode("22003"),
      withCode("23514", 'new row violates check constraint: "Connection terminated"'),
      new Error("payment not found"),
      "Connection terminated",
      undefined,
    ]) {
      expect(isTransientStoreError(err), String(err)).toBe(false);
    }
  });

  it("says no to another service's answer, even when its cause is a refused socket", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:50052"), { code: "ECONNREFUSED" });
    expect(
      isTransientStoreError(
        new ConnectError("risk service unreachable", Code.Unavailable, undefined, undefined, refused),
      ),
    ).toBe(false);
  });
});
