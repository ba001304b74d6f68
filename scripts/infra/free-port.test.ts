import { describe, expect, it } from "vitest";
import { freePort } from "./free-port.js";

describe("freePort", () => {
  it("never hands out a port twice, though none of them is bound yet (as a cluster's start picks them)", async () => {
    const ports = [];
    for (let i = 0; i < 2_000; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
