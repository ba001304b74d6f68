import { describe, expect, it } from "vitest";
import { identityOfSubjectAltName } from "./identity.js";

describe("identityOfSubjectAltName", () => {
  it.each([
    ["URI:spiffe://payments.local/wallet, DNS:localhost, IP Address:127.0.0.1", "wallet"],
    ["DNS:localhost, URI:spiffe://payments.local/operator-tools", "operator-tools"],
  ])("reads %s as %s", (san, identity) => {
    expect(identityOfSubjectAltName(san)).toBe(identity);
  });

  it.each([
    ["no SANs", undefined],
    ["DNS names only", "DNS:ledger.payments.local"],
    ["another trust domain", "URI:spiffe://evil.example/ledger"],
    ["an identity we do not issue", "URI:spiffe://payments.local/root"],
    ["a path below an identity", "URI:spiffe://payments.local/ledger/extra"],
    ["upper case", "URI:SPIFFE://payments.local/ledger"],
    ["two of ours", "URI:spiffe://payments.local/ledger, URI:spiffe://payments.local/wallet"],
    ["ours beside another URI", "URI:spiffe://payments.local/ledger, URI:https://evil.example/"],
  ])("names nobody for %s", (_, san) => {
    expect(identityOfSubjectAltName(san)).toBeUndefined();
  });
});
