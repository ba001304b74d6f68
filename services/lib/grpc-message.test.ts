import { describe, expect, it } from "vitest";
import { encodeGrpcMessage } from "./grpc-message.js";

describe("grpc-message spelling", () => {
  it("keeps printable ASCII, encodes %, control characters and non-ASCII as UTF-8 bytes", () => {
    expect(encodeGrpcMessage("orders[0].amount: must be > 0, got -5 @ a/b?")).toBe(
      "orders[0].amount: must be > 0, got -5 @ a/b?",
    );
    expect(encodeGrpcMessage("100% sure")).toBe("100%25 sure");
    expect(encodeGrpcMessage("line\nbreak")).toBe("line%0Abreak");
    expect(encodeGrpcMessage("café €")).toBe("caf%C3%A9 %E2%82%AC");
  });

  it("round-trips through standard percent-decoding", () => {
    const message = "seller «42»: 5% fee, 10.00 USD";
    expect(decodeURIComponent(encodeGrpcMessage(message))).toBe(message);
  });
});
