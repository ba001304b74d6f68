import { rpcAuditMigration } from "../../../lib/audit/audit-store.js";
import type { Migration } from "../../../lib/db.js";
import { runsAndExceptions } from "./001_runs_and_exceptions.js";
import { crashSafeRuns } from "./002_crash_safe_runs.js";

export const RECONCILIATION_SCHEMA = "reconciliation";
export const reconciliationMigrations: readonly Migration[] = [runsAndExceptions, crashSafeRuns, rpcAuditMigration];
