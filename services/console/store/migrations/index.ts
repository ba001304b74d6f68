import type { Migration } from "../../../lib/db.js";
import { consoleTables } from "./001_console_tables.js";
import { loginIndex } from "./002_login_index.js";
import { loginClientIndex } from "./003_login_client_index.js";
import { operatorDisabled } from "./004_operator_disabled.js";

export const CONSOLE_SCHEMA = "console";
export const consoleMigrations: readonly Migration[] = [consoleTables, loginIndex, loginClientIndex, operatorDisabled];
