import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { IDENTITIES, spiffeId, type Identity } from "./identity.js";
import { TLS_ENV, type TlsMaterial } from "./tls-material.js";

const crypto = webcrypto as unknown as Crypto;
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 3600 * 1000;

async function pemKey(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** A development certificate authority and a leaf per identity, valid for `days` (not for production: see docs/security.md). */
export interface DevPki {
  dir: string;
  ca: string;
  /** The files of one identity, as the TLS_* variables name them. */
  env(identity: Identity): ReturnType<typeof devPkiFiles>;
  material(identity: Identity): TlsMaterial;
}

/** The TLS_* variables naming one identity's files in a directory issueDevPki wrote. */
export function devPkiFiles(dir: string, identity: Identity): Record<(typeof TLS_ENV)[keyof typeof TLS_ENV], string> {
  return {
    [TLS_ENV.ca]: join(dir, "ca.pem"),
    [TLS_ENV.cert]: join(dir, `${identity}.pem`),
    [TLS_ENV.key]: join(dir, `${identity}-key.pem`),
  };
}

/**
 * Issues a fresh CA and one certificate per identity into `dir` (ca.pem, <identity>.pem, <identity>-key.pem).
 * Each leaf carries its SPIFFE ID and, so that clients dialling 127.0.0.1 or localhost can check the server, those
 * names too; it may act as server and as client.
 */
export async function issueDevPki(dir: string, days = 30): Promise<DevPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + days * DAY_MS);
  const caKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const caCert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: "CN=payment platform development CA",
      keys: caKeys,
      signingAlgorithm: ALGORITHM,
      notBefore,
      notAfter,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    },
    crypto,
  );
  const ca = caCert.toString("pem");
  writeFileSync(join(dir, "ca.pem"), ca);
  const leaves = new Map<Identity, TlsMaterial>();
  for (const identity of IDENTITIES) {
    const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.create(
      {
        subject: `CN=${identity}`,
        issuer: caCert.subject,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: ALGORITHM,
        notBefore,
        notAfter,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
          new x509.SubjectAlternativeNameExtension([
            { type: "url", value: spiffeId(identity) },
            { type: "dns", value: "localhost" },
            { type: "ip", value: "127.0.0.1" },
          ]),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
        ],
      },
      crypto,
    );
    const material = { ca, cert: cert.toString("pem"), key: await pemKey(keys.privateKey) };
    writeFileSync(join(dir, `${identity}.pem`), material.cert);
    writeFileSync(join(dir, `${identity}-key.pem`), material.key, { mode: 0o600 });
    leaves.set(identity, material);
  }
  return {
    dir,
    ca,
    env: (identity) => devPkiFiles(dir, identity),
    material: (identity) => leaves.get(identity)!,
  };
}
