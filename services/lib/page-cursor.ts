import { pageSize, pageTokens, type CursorOf, type CursorShape, type PageTokenKey } from "./page-token.js";

/** The pages of one list RPC: what a request asks for, and the token of the page after. */
export interface ListPages<C> {
  /** Where the requested page starts (undefined: the first page) and how many items it holds at most. */
  request(req: { pageToken: string; pageSize: number }): { after: C | undefined; limit: number };
  /** The next page's token: the cursor of the last item of a full page; "" after a short one (the last page). */
  next<T>(items: readonly T[], limit: number, cursorOf: (last: T) => C): string;
  /** The token of a next page the store found itself; "" when there is none. */
  token(next: C | undefined): string;
}

/**
 * The signed cursor of list `rpc` (e.g. "wallet.v1.WalletService/ListPayouts", see page-token.ts) and its page sizes:
 * 0 asks for `sizes.default`, more than `sizes.max` is INVALID_ARGUMENT.
 */
export function listPages<S extends CursorShape>(
  key: PageTokenKey,
  rpc: string,
  shape: S,
  sizes: { default: number; max: number },
): ListPages<CursorOf<S>> {
  const tokens = pageTokens(key, rpc, shape);
  return {
    request(req) {
      const limit = pageSize(req.pageSize, sizes.default, sizes.max);
      return { after: tokens.decode(req.pageToken), limit };
    },
    next: (items, limit, cursorOf) =>
      items.length === limit && items.length > 0 ? tokens.encode(cursorOf(items[items.length - 1]!)) : "",
    token: (next) => (next === undefined ? "" : tokens.encode(next)),
  };
}
