import type { Migration } from "../../../lib/db.js";
import { walletTables } from "./001_wallet_tables.js";

export const WALLET_SCHEMA = "wallet";
export const walletMigrations: readonly Migration[] = [walletTables];
