import type { Migration } from "../../../lib/db.js";
import { consoleTables } from "./001_console_tables.js";

export const CONSOLE_SCHEMA = "console";
export const consoleMigrations: readonly Migration[] = [consoleTables];
