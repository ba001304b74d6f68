import { afterEach, describe, expect, it, vi } from "vitest";
import { requireSecret } from "./secrets.js";

const RANDOM = "3f9c1e0a7b2d4c6e8f0a1b2c3d4e5f60";

afterEach(() => vi.unstubAllEnvs());

describe("requireSecret", () => {
  it("outside development refuses a known development value, a short value or none, naming the variable", () => {
    vi.stubEnv("PLATFORM_ENV", "production");
    expect(() => requireSecret("PSP_API_KEY", "sk_test_local_platform", { minLength: 32 })).toThrow(
      /^PSP_API_KEY is a known development value, refused outside development: set it to a random value .*PLATFORM_ENV=development/,
    );
    expect(() => requireSecret("PSP_WEBHOOK_SECRET", "whsec_0123456789", { minLength: 32 })).toThrow(
      /^PSP_WEBHOOK_SECRET is 16 characters long, shorter than the 32 required/,
    );
    expect(() => requireSecret("CONSOLE_ADMIN_PASSWORD", "operator", { minLength: 12 })).toThrow(
      /^CONSOLE_ADMIN_PASSWORD is a known development value/,
    );
    expect(() => requireSecret("PSP_API_KEY", undefined, { minLength: 32 })).toThrow(/^PSP_API_KEY is required/);
    expect(requireSecret("PSP_API_KEY", RANDOM, { minLength: 32 })).toBe(RANDOM);
  });

  it("in development (PLATFORM_ENV=development) takes any value, but still needs one", () => {
    vi.stubEnv("PLATFORM_ENV", "development");
    expect(requireSecret("PSP_API_KEY", "sk_test_local_platform", { minLength: 32 })).toBe("sk_test_local_platform");
    expect(requireSecret("CONSOLE_ADMIN_PASSWORD", "x", { minLength: 12 })).toBe("x");
    expect(() => requireSecret("PSP_API_KEY", "", { minLength: 32 })).toThrow(/^PSP_API_KEY is required/);
  });
});
