import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../scripts/infra/free-port.js";
import { natsEnv } from "../services/lib/events/nats.js";
import { natsAs } from "./support/nats-users.js";
import { testTlsEnv } from "./support/tls.js";
import { startChild } from "./support/child-process.js";
import { createTestDatabase, type TestDatabase } from "./support/test-database.js";
import { waitFor } from "./support/wait.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const mainOf = (dir: string) => `${ROOT}${dir}/main.ts`;
/** The services reading a PSP or console secret. */
const MAINS = [
  "psp-simulator",
  "services/payment",
  "services/wallet",
  "services/reconciliation",
  "services/console",
].map(mainOf);
const SCHEMAS = ["payment", "risk", "ledger", "wallet", "reconciliation", "console"];
const strongDatabasePasswords = Object.fromEntries(
  SCHEMAS.map((schema) => [`${schema.toUpperCase()}_DB_PASSWORD`, randomBytes(32).toString("hex")]),
);
const NOWHERE = "https://127.0.0.1:9";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

/** What every main needs, with the secrets given. */
function envWith(secrets: Record<string, string>, platformEnv: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PLATFORM_ENV: platformEnv,
    LOG_LEVEL: "info",
    DATABASE_URL: database.url,
    ...natsEnv(natsAs("console")),
    ...testTlsEnv("console"),
    PAGE_TOKEN_SECRET: randomBytes(32).toString("hex"),
    ...Object.fromEntries(
      ["PSP_URL", "RISK_URL", "PAYMENT_URL", "LEDGER_URL", "WALLET_URL", "RECONCILIATION_URL"].map((name) => [
        name,
        NOWHERE,
      ]),
    ),
    ...Object.fromEntries(
      [
        "PSP_PORT",
        "PAYMENT_PORT",
        "PAYMENT_HTTP_PORT",
        "PAYMENT_METRICS_PORT",
        "WALLET_PORT",
        "WALLET_METRICS_PORT",
        "RECONCILIATION_PORT",
        "RECONCILIATION_METRICS_PORT",
        "CONSOLE_PORT",
      ].map((name) => [name, "0"]),
    ),
    ...strongDatabasePasswords,
    ...secrets,
  };
}

const DEVELOPMENT_VALUES = {
  PSP_API_KEY: "sk_test_local_platform",
  PSP_WEBHOOK_SECRET: "whsec_local_platform",
  CONSOLE_ADMIN_PASSWORD: "operator",
};

async function refusal(main: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = startChild(process.execPath, ["--import", "tsx", main], env);
  const exit = await child.exited;
  return { code: exit.code, output: child.output() };
}

describe("secrets at start-up", () => {
  it("outside development every service refuses a known development value, naming the variable and what to do", async () => {
    const results = await Promise.all(MAINS.map((main) => refusal(main, envWith(DEVELOPMENT_VALUES, "production"))));
    for (const [i, { code, output }] of results.entries()) {
      expect(code, MAINS[i]).toBe(1);
      expect(output, MAINS[i]).toMatch(
        /(PSP_API_KEY|CONSOLE_ADMIN_PASSWORD) is a known development value, refused outside development: set it to a random value/,
      );
      expect(output, MAINS[i]).toContain("PLATFORM_ENV=development");
    }
  });

  it("outside development every service refuses a database password that is missing or a development value", async () => {
    const missing = Object.fromEntries(SCHEMAS.map((schema) => [`${schema.toUpperCase()}_DB_PASSWORD`, ""]));
    const results = await Promise.all(
      SCHEMAS.map((schema) =>
        refusal(
          mainOf(`services/${schema}`),
          envWith(
            { ...missing, [`${schema.toUpperCase()}_DB_PASSWORD`]: schema === "risk" ? "postgres" : "" },
            "production",
          ),
        ),
      ),
    );
    for (const [i, { code, output }] of results.entries()) {
      const variable = `${SCHEMAS[i]!.toUpperCase()}_DB_PASSWORD`;
      expect(code, variable).toBe(1);
      expect(output, variable).toContain(
        SCHEMAS[i] === "risk" ? `${variable} is a known development value` : `${variable} is required`,
      );
    }
  });

  it("outside development a short secret is refused", async () => {
    const short = { PSP_API_KEY: "a".repeat(40), PSP_WEBHOOK_SECRET: "b".repeat(31) };
    const { code, output } = await refusal(MAINS[0]!, envWith(short, "production"));
    expect(code).toBe(1);
    expect(output).toContain("PSP_WEBHOOK_SECRET is 31 characters long, shorter than the 32 required");
  });

  it("in development the services start with those values", async () => {
    const ports = { psp: await freePort(), console: await freePort() };
    const env = envWith(
      { ...DEVELOPMENT_VALUES, PSP_PORT: String(ports.psp), CONSOLE_PORT: String(ports.console) },
      "development",
    );
    const started = [
      { main: MAINS[0]!, url: `http://127.0.0.1:${ports.psp}/v1/balance` },
      { main: MAINS[4]!, url: `http://127.0.0.1:${ports.console}/login` },
    ].map(({ main, url }) => ({ url, child: startChild(process.execPath, ["--import", "tsx", main], env) }));
    try {
      for (const { url, child } of started) {
        const answered = async () => {
          if (child.exit) throw new Error(`exited while starting: ${child.output()}`);
          return fetch(url).then(
            () => true,
            () => false,
          );
        };
        expect(await waitFor(answered, (up) => up, 20_000, url)).toBe(true);
      }
    } finally {
      await Promise.all(started.map(({ child }) => child.stop("SIGTERM")));
    }
  });
});
