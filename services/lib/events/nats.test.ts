import { afterEach, describe, expect, it, vi } from "vitest";
import { natsConnectOptions, natsEndpointFromEnv, natsEnv } from "./nats.js";

afterEach(() => vi.unstubAllEnvs());

describe("NATS configuration", () => {
  it("NATS_URL lists one server or several, separated by commas", () => {
    vi.stubEnv("NATS_URL", "nats://n1:4222, nats://n2:4222,,nats://n3:4222");
    expect(natsEndpointFromEnv().servers).toEqual(["nats://n1:4222", "nats://n2:4222", "nats://n3:4222"]);
    vi.stubEnv("NATS_URL", "nats://n1:4222");
    expect(natsConnectOptions(natsEndpointFromEnv(), "svc").servers).toEqual(["nats://n1:4222"]);
  });

  it("a user connects with its password and receives its replies under an inbox prefix of its own", () => {
    vi.stubEnv("NATS_URL", "");
    vi.stubEnv("NATS_USER", "ledger");
    vi.stubEnv("NATS_PASSWORD", "secret");
    const endpoint = natsEndpointFromEnv();
    expect(natsConnectOptions(endpoint, "ledger-service")).toMatchObject({
      user: "ledger",
      pass: "secret",
      inboxPrefix: "_INBOX_ledger",
    });
    expect(natsEnv(endpoint)).toEqual({
      NATS_URL: "nats://127.0.0.1:4222",
      NATS_USER: "ledger",
      NATS_PASSWORD: "secret",
    });
  });

  it("a user without a password is a configuration error", () => {
    vi.stubEnv("NATS_USER", "ledger");
    vi.stubEnv("NATS_PASSWORD", "");
    expect(() => natsEndpointFromEnv()).toThrow("NATS_PASSWORD");
  });
});
