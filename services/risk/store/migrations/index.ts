import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { riskTables } from "./001_risk_tables.js";

export const RISK_SCHEMA = "risk";
export const riskMigrations: readonly Migration[] = [riskTables, rpcAuditMigration];
