import { describe, expect, it } from "vitest";
import { deadLetteredPoisonEvent } from "../support/event-streams.js";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { ConsoleBrowser, csrfOf, rowsContaining } from "./console-browser.js";

const under = usePlatform();

describe("dead letters in the console", () => {
  it("lists what consumers gave up on; finance replays one, audited; a viewer sees no replay", async () => {
    const { eventId } = await deadLetteredPoisonEvent(under.platform.streams);

    const admin = new ConsoleBrowser(under.platform.console.url);
    expect((await admin.login("admin", CONSOLE_ADMIN_PASSWORD)).status).toBe(303);
    const page = await admin.get("/dead-letters");
    const rows = rowsContaining(page.html, eventId);
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.includes("poison"))).toBe(true);
    const seq = page.html.match(new RegExp(`data-dlq-seq="(\\d+)"[^]*?${eventId}`))![1]!;

    const replayed = await admin.post("/dead-letters/replay", { csrf: csrfOf(page.html), seq });
    expect(replayed).toMatchObject({ status: 303, location: `/dead-letters?replayed=${seq}` });
    expect((await admin.get("/dead-letters")).html).not.toContain(`data-dlq-seq="${seq}"`);
    // The consumer that gave up read the event again and, still poison, dead-lettered it again.
    const listed = () => admin.get("/dead-letters").then((p) => rowsContaining(p.html, eventId));
    await waitFor(listed, (again) => again.length === 2, 10_000, "the replayed event dead-lettered again");
    expect(rowsContaining((await admin.get("/audit")).html, 'data-action="dead_letter_replayed"')[0]).toContain(
      eventId,
    );
    const twice = await admin.post("/dead-letters/replay", { csrf: csrfOf(page.html), seq });
    expect(twice.status).toBe(409);

    await admin.submit("/operators", "/operators", {
      id: "dora",
      display_name: "Dora Viewer",
      role: "viewer",
      password: "viewer-password",
    });
    const dora = new ConsoleBrowser(under.platform.console.url);
    await dora.login("dora", "viewer-password");
    const seen = await dora.get("/dead-letters");
    expect(seen.status).toBe(200);
    expect(seen.html).not.toContain("Replay</button>");
    expect((await dora.post("/dead-letters/replay", { csrf: csrfOf(seen.html), seq })).status).toBe(403);
  });
});
