import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { listDeadLetters, replayDeadLetter } from "../../lib/events/dead-letters.js";
import { natsConnectOptions, type NatsEndpoint } from "../../lib/events/nats.js";
import type { EventStreamNames } from "../../lib/events/streams.js";
import type { ConsoleStore } from "../store/console-store.js";
import { redirect, type Route } from "./http-app.js";
import { backLink, concat, notice, query } from "../views/html.js";
import { deadLetterList } from "../views/dead-letter-views.js";

export interface DeadLetterSource {
  nats: NatsEndpoint;
  names: EventStreamNames;
}

/** A NATS connection for one page: dead letters are looked at rarely, by a person. */
async function withNats<T>(source: DeadLetterSource, use: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ ...natsConnectOptions(source.nats, "console"), timeout: 5_000 });
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}

/** Events consumers gave up on, and (finance) sending one back to its consumer once its cause is fixed; replays are audited. */
export function deadLetterRoutes(source: DeadLetterSource | undefined, store: ConsoleStore): Route[] {
  const unconfigured = notice("error", "The console was started without NATS_URL: it cannot read the dead letters.");
  return [
    {
      method: "GET",
      pattern: /^\/dead-letters$/,
      handle: async (ctx) => {
        if (source === undefined) return ctx.page("Dead letters", unconfigured, 503);
        const letters = await withNats(source, async (nc) => listDeadLetters(await jetstreamManager(nc), source.names));
        const view = {
          csrf: ctx.csrf,
          canReplay: ctx.operator.role === "finance",
          replayed: ctx.url.searchParams.get("replayed"),
        };
        return ctx.page("Dead letters", deadLetterList(letters, view));
      },
    },
    {
      method: "POST",
      pattern: /^\/dead-letters\/replay$/,
      role: "finance",
      handle: async (ctx) => {
        if (source === undefined) return ctx.page("Dead letters", unconfigured, 503);
        const seq = Number(ctx.form.get("seq") ?? "");
        const outcome = await withNats(source, async (nc) => {
          const letter = (await listDeadLetters(await jetstreamManager(nc), source.names)).find(
            (l) => l.dlqSeq === seq,
          );
          if (letter === undefined)
            return { replayed: false as const, why: `there is no dead letter #${seq} (replayed already?)` };
          await replayDeadLetter(jetstream(nc), await jetstreamManager(nc), source.names, letter);
          return { replayed: true as const, letter };
        });
        await store.audit({
          operatorId: ctx.operator.id,
          action: outcome.replayed ? "dead_letter_replayed" : "dead_letter_replay_refused",
          target: `dead letter ${seq}`,
          details: outcome.replayed
            ? {
                consumer: outcome.letter.consumer,
                stream_seq: outcome.letter.streamSeq,
                event_id: outcome.letter.original?.msgId,
              }
            : { why: outcome.why },
        });
        if (!outcome.replayed)
          return ctx.page("Not replayed", concat(notice("error", outcome.why), backLink("/dead-letters", "Back")), 409);
        return redirect(`/dead-letters${query({ replayed: String(seq) })}`);
      },
    },
  ];
}
