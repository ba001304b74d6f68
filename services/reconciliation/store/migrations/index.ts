import type { Migration } from "../../../lib/db.js";
import { runsAndExceptions } from "./001_runs_and_exceptions.js";

export const RECONCILIATION_SCHEMA = "reconciliation";
export const reconciliationMigrations: readonly Migration[] = [runsAndExceptions];
