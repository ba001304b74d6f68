import { describe, expect, it } from "vitest";
import { listPages } from "./page-cursor.js";
import { pageTokenKey } from "./page-token.js";

const key = pageTokenKey("a page token secret of 32 characters!");
const pages = listPages(key, "test.v1.TestService/ListThings", { seq: "bigint" }, { default: 2, max: 3 });
const bySeq = (item: { seq: bigint }) => ({ seq: item.seq });

describe("listPages", () => {
  it("starts at the first page with the default size, and continues from the last item of a full page", () => {
    expect(pages.request({ pageToken: "", pageSize: 0 })).toEqual({ after: undefined, limit: 2 });
    const token = pages.next([{ seq: 4n }, { seq: 7n }], 2, bySeq);
    expect(pages.request({ pageToken: token, pageSize: 3 })).toEqual({ after: { seq: 7n }, limit: 3 });
  });

  it("ends after a short page", () => {
    expect(pages.next([{ seq: 4n }], 2, bySeq)).toBe("");
    expect(pages.next([], 2, bySeq)).toBe("");
  });

  it("gives the token of a next page the store found, and none when it found none", () => {
    expect(pages.request({ pageToken: pages.token({ seq: 9n }), pageSize: 0 }).after).toEqual({ seq: 9n });
    expect(pages.token(undefined)).toBe("");
  });

  it("refuses a size above the maximum and a token of another list as the caller's mistakes", () => {
    expect(() => pages.request({ pageToken: "", pageSize: 4 })).toThrow(/page_size: must be between 1 and 3/);
    const other = listPages(key, "test.v1.TestService/ListOthers", { seq: "bigint" }, { default: 2, max: 3 });
    const foreign = other.next([{ seq: 1n }, { seq: 2n }], 2, bySeq);
    expect(() => pages.request({ pageToken: foreign, pageSize: 0 })).toThrow(/page_token: is not one this list issued/);
  });
});
