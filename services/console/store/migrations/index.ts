import type { Migration } from "../../../lib/db.js";
import { consoleTables } from "./001_console_tables.js";
import { loginIndex } from "./002_login_index.js";
import { loginClientIndex } from "./003_login_client_index.js";
import { operatorDisabled } from "./004_operator_disabled.js";
import type { ServiceSchema } from "../../../lib/service-db.js";

export const CONSOLE_SCHEMA = "console";
export const consoleMigrations: readonly Migration[] = [consoleTables, loginIndex, loginClientIndex, operatorDisabled];
// insertOnlyTables: the tables whose triggers refuse updates and deletes.
export const consoleSchema: ServiceSchema = {
  name: CONSOLE_SCHEMA,
  migrations: consoleMigrations,
  insertOnlyTables: ["audit_log"],
};
