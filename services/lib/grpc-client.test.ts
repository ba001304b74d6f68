import { Code, ConnectError, type UnaryRequest } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { droppedCallsAreUnavailable } from "./grpc-client.js";

/** The code a call failing with `thrown` reaches its caller with, its own signal aborted or not. */
async function codeSeen(thrown: unknown, { aborted = false } = {}): Promise<Code | string> {
  const controller = new AbortController();
  if (aborted) controller.abort();
  const request = { signal: controller.signal } as UnaryRequest;
  const call = droppedCallsAreUnavailable(async () => {
    throw thrown;
  });
  try {
    await call(request);
  } catch (err) {
    return err instanceof ConnectError ? err.code : String(err);
  }
  throw new Error("expected the call to fail");
}

describe("calls dropped by the network or the server", () => {
  it("are Unavailable: a connection reset (Aborted with a socket error) and a stream closed under the call (Canceled)", async () => {
    const reset = new ConnectError("read ECONNRESET", Code.Aborted, undefined, undefined, new Error("ECONNRESET"));
    expect(await codeSeen(reset)).toBe(Code.Unavailable);
    expect(await codeSeen(new ConnectError("stream closed with CANCEL", Code.Canceled))).toBe(Code.Unavailable);
  });

  it("keep their code when the server answered it or we canceled the call ourselves", async () => {
    expect(await codeSeen(new ConnectError("a concurrent change won", Code.Aborted))).toBe(Code.Aborted);
    expect(await codeSeen(new ConnectError("canceled", Code.Canceled), { aborted: true })).toBe(Code.Canceled);
    expect(await codeSeen(new ConnectError("no such payment", Code.NotFound))).toBe(Code.NotFound);
    expect(await codeSeen(new Error("not a gRPC failure"))).toBe("Error: not a gRPC failure");
  });
});
