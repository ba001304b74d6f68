/** The services whose own audit records (audit.v1.AuditService) the console shows. */
export const AUDITED_SERVICES = ["payment", "risk", "ledger", "wallet", "reconciliation"] as const;
export type AuditedService = (typeof AUDITED_SERVICES)[number];
