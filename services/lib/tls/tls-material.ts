import { readFileSync } from "node:fs";

/** One identity's certificate and key, and the CA that issued every certificate it trusts (PEM). */
export interface TlsMaterial {
  ca: string;
  cert: string;
  key: string;
}

export const TLS_ENV = { ca: "TLS_CA_FILE", cert: "TLS_CERT_FILE", key: "TLS_KEY_FILE" } as const;

/** Reads the files named by TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE; any missing one stops the start. */
export function tlsMaterialFromEnv(env: NodeJS.ProcessEnv = process.env): TlsMaterial {
  const read = (variable: string): string => {
    const path = env[variable];
    if (!path)
      throw new Error(
        `environment variable ${variable} is required: mutual TLS needs ${Object.values(TLS_ENV).join(", ")}`,
      );
    try {
      return readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`${variable}: cannot read "${path}": ${(err as Error).message}`);
    }
  };
  return { ca: read(TLS_ENV.ca), cert: read(TLS_ENV.cert), key: read(TLS_ENV.key) };
}
