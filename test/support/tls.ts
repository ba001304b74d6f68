import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { devPkiFiles } from "../../services/lib/tls/dev-ca.js";
import type { Identity } from "../../services/lib/tls/identity.js";
import type { TlsMaterial } from "../../services/lib/tls/tls-material.js";

const loaded = new Map<Identity, TlsMaterial>();

/** The certificate of one identity from the run's development CA (issued by the global setup). */
export function testTls(identity: Identity): TlsMaterial {
  let material = loaded.get(identity);
  if (!material) {
    const files = testTlsEnv(identity);
    const read = (file: string) => readFileSync(file, "utf8");
    material = { ca: read(files.TLS_CA_FILE), cert: read(files.TLS_CERT_FILE), key: read(files.TLS_KEY_FILE) };
    loaded.set(identity, material);
  }
  return material;
}

/** The TLS_* variables a service process started by a test reads its certificate from. */
export function testTlsEnv(identity: Identity): ReturnType<typeof devPkiFiles> {
  return devPkiFiles(inject("tlsDir"), identity);
}
