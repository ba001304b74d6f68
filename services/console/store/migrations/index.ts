import type { Migration } from "../../../lib/db.js";
import { consoleTables } from "./001_console_tables.js";
import { loginIndex } from "./002_login_index.js";

export const CONSOLE_SCHEMA = "console";
export const consoleMigrations: readonly Migration[] = [consoleTables, loginIndex];
