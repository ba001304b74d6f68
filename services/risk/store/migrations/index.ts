import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { riskTables } from "./001_risk_tables.js";
import type { ServiceSchema } from "../../../lib/service-db.js";

export const RISK_SCHEMA = "risk";
export const riskMigrations: readonly Migration[] = [riskTables, rpcAuditMigration];
// insertOnlyTables: the tables whose triggers refuse updates and deletes.
export const riskSchema: ServiceSchema = {
  name: RISK_SCHEMA,
  migrations: riskMigrations,
  insertOnlyTables: ["rpc_audit"],
};
