/**
 * Who calls whom. A caller is known by the SPIFFE ID in its client certificate (a URI subject alternative name),
 * e.g. spiffe://payments.local/wallet, so that SPIRE, Istio or cert-manager can issue them in production.
 */
export const TRUST_DOMAIN = "payments.local";

export const IDENTITIES = [
  "payment",
  "risk",
  "ledger",
  "wallet",
  "reconciliation",
  "console",
  /** The marketplace's own backend: checkouts, refunds, payouts, sellers' payout accounts. */
  "marketplace",
  /** People's scripts in scripts/: replays, reports, corrections. */
  "operator-tools",
  /** Health checks (grpc_health_probe, a load balancer): may call grpc.health.v1.Health only. */
  "probe",
] as const;

export type Identity = (typeof IDENTITIES)[number];

export function spiffeId(identity: Identity, trustDomain = TRUST_DOMAIN): string {
  return `spiffe://${trustDomain}/${identity}`;
}

/**
 * The identity named by a certificate's subject alternative names, as Node spells them
 * ("URI:spiffe://payments.local/wallet, DNS:localhost, IP Address:127.0.0.1"). Exactly one URI, of our trust
 * domain, naming a known identity; otherwise undefined.
 */
export function identityOfSubjectAltName(
  subjectAltName: string | undefined,
  trustDomain = TRUST_DOMAIN,
): Identity | undefined {
  if (!subjectAltName) return undefined;
  const prefix = `spiffe://${trustDomain}/`;
  // A SPIFFE certificate carries exactly one URI SAN: any other URI beside it makes the certificate ambiguous.
  const ours = subjectAltName
    .split(/,\s*/)
    .filter((name) => name.startsWith("URI:"))
    .map((name) => name.slice("URI:".length));
  if (ours.length !== 1 || !ours[0]!.startsWith(prefix)) return undefined;
  const name = ours[0]!.slice(prefix.length);
  return (IDENTITIES as readonly string[]).includes(name) ? (name as Identity) : undefined;
}
