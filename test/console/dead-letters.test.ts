import { randomUUID } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, inject, it } from "vitest";
import { CONSOLE_ADMIN_PASSWORD } from "../support/platform.js";
import { usePlatform } from "../support/use-platform.js";
import { waitFor } from "../support/wait.js";
import { ConsoleBrowser, csrfOf, rowsContaining } from "./console-browser.js";

const under = usePlatform();

describe("dead letters in the console", () => {
  it("lists what consumers gave up on; finance replays one, audited; a viewer sees no replay", async () => {
    const nc = await connect({ servers: inject("natsUrl") });
    const eventId = `evt_poison_${randomUUID()}`;
    await jetstream(nc).publish(`${under.platform.streams.subjectPrefix}.payment.succeeded`, new TextEncoder().encode("not protobuf {"), { msgID: eventId });
    await nc.close();

    const admin = new ConsoleBrowser(under.platform.console.url);
    expect((await admin.login("admin", CONSOLE_ADMIN_PASSWORD)).status).toBe(303);
    const page = await waitFor(() => admin.get("/dead-letters"), (p) => rowsContaining(p.html, eventId).length === 2, 15_000, "both consumers to dead-letter the poison event");
    const rows = rowsContaining(page.html, eventId);
    expect(rows.every((r) => r.includes("poison"))).toBe(true);
    const seq = page.html.match(new RegExp(`data-dlq-seq="(\\d+)"[^]*?${eventId}`))![1]!;

    const replayed = await admin.post("/dead-letters/replay", { csrf: csrfOf(page.html), seq });
    expect(replayed).toMatchObject({ status: 303, location: `/dead-letters?replayed=${seq}` });
    expect((await admin.get("/dead-letters")).html).not.toContain(`data-dlq-seq="${seq}"`);
    expect(rowsContaining((await admin.get("/audit")).html, 'data-action="dead_letter_replayed"')[0]).toContain(eventId);
    const twice = await admin.post("/dead-letters/replay", { csrf: csrfOf(page.html), seq });
    expect(twice.status).toBe(409);

    await admin.submit("/operators", "/operators", { id: "dora", display_name: "Dora Viewer", role: "viewer", password: "viewer-password" });
    const dora = new ConsoleBrowser(under.platform.console.url);
    await dora.login("dora", "viewer-password");
    const seen = await dora.get("/dead-letters");
    expect(seen.status).toBe(200);
    expect(seen.html).not.toContain("Replay</button>");
    expect((await dora.post("/dead-letters/replay", { csrf: csrfOf(seen.html), seq })).status).toBe(403);
  });
});
