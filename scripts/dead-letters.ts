/**
 * Inspect and replay dead letters: events a consumer gave up on (in the dead-letter stream), and outbox events NATS
 * would never take (set aside in a service's outbox).
 *   npx tsx scripts/dead-letters.ts list
 *   npx tsx scripts/dead-letters.ts replay <dlq-seq> [<dlq-seq>...]
 *   npx tsx scripts/dead-letters.ts replay-all
 *   npx tsx scripts/dead-letters.ts outbox payment|wallet list
 *   npx tsx scripts/dead-letters.ts outbox payment|wallet requeue <event-id> [<event-id>...]
 * NATS_URL, EVENTS_STREAM and EVENTS_SUBJECT_PREFIX select the servers and streams; NATS_USER / NATS_PASSWORD are
 * the operator-tools user's. The outbox commands use DATABASE_URL instead (a role that may update the outbox).
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { DeadLetter } from "../services/contracts/dead-letter.js";
import { listDeadLetters, replayDeadLetter } from "../services/lib/events/dead-letters.js";
import { natsConnectOptions, natsEndpointFromEnv } from "../services/lib/events/nats.js";
import { decodePaymentEvent } from "../services/contracts/events/payment-event.js";
import { streamNamesFromEnv } from "../services/lib/events/streams.js";
import {
  listOutboxDeadLetters,
  requeueOutboxDeadLetter,
  type OutboxDeadLetter,
  type OutboxTable,
} from "../services/lib/events/outbox-dead-letters.js";
import { createDb } from "../services/lib/db.js";
import { envString } from "../services/lib/config.js";
import { PAYMENT_SCHEMA } from "../services/payment/store/migrations/index.js";
import { PAYMENT_OUTBOX } from "../services/payment/store/outbox.js";
import { WALLET_SCHEMA } from "../services/wallet/store/migrations/index.js";
import { WALLET_OUTBOX } from "../services/wallet/store/outbox.js";

function describe(letter: DeadLetter): string {
  let event = "original message no longer in the stream";
  if (letter.original) {
    try {
      const e = decodePaymentEvent(letter.original.data);
      event = `${letter.original.subject} event ${e.eventId} payment ${e.paymentId} ${e.status}`;
    } catch (err) {
      event = `${letter.original.subject} (undecodable: ${(err as Error).message})`;
    }
  }
  const why = letter.kind === "poison" ? `poison: ${letter.reason}` : `gave up after ${letter.deliveries} deliveries`;
  return `#${letter.dlqSeq}  ${letter.recordedAt}  consumer ${letter.consumer}  stream seq ${letter.streamSeq}  ${why}\n      ${event}`;
}

const OUTBOXES: Record<string, { schema: string; outbox: OutboxTable }> = {
  payment: { schema: PAYMENT_SCHEMA, outbox: PAYMENT_OUTBOX },
  wallet: { schema: WALLET_SCHEMA, outbox: WALLET_OUTBOX },
};

function describeOutbox(row: OutboxDeadLetter): string {
  return `${row.eventId}  ${row.subject}  ${row.aggregate}  ${row.bytes} bytes  dead since ${row.deadAt.toISOString()}  ${row.blocked} waiting behind it\n      ${row.reason}`;
}

async function outboxDeadLetters([service = "", command, ...eventIds]: string[]): Promise<void> {
  const chosen = OUTBOXES[service];
  if (!chosen || (command !== "list" && command !== "requeue")) {
    console.error("usage: dead-letters.ts outbox payment|wallet list | requeue <event-id>...");
    process.exitCode = 2;
    return;
  }
  const db = createDb(envString("DATABASE_URL"), chosen.schema, 1);
  try {
    if (command === "list") {
      const rows = await listOutboxDeadLetters(db, chosen.outbox);
      console.log(rows.length === 0 ? `no dead letters in the ${service} outbox` : rows.map(describeOutbox).join("\n"));
    }
    for (const eventId of command === "requeue" ? eventIds : []) {
      const requeued = await requeueOutboxDeadLetter(db, chosen.outbox, eventId);
      console.log(requeued ? `re-queued ${eventId}` : `no dead letter ${eventId} in the ${service} outbox`);
      if (!requeued) process.exitCode = 1;
    }
  } finally {
    await db.destroy();
  }
}

async function streamDeadLetters(command: string | undefined, args: string[]): Promise<void> {
  const names = streamNamesFromEnv();
  const nc = await connect(natsConnectOptions(natsEndpointFromEnv(), "dead-letters"));
  try {
    const jsm = await jetstreamManager(nc);
    const letters = await listDeadLetters(jsm, names);
    if (command === "list") {
      console.log(letters.length === 0 ? `no dead letters in ${names.stream}_DLQ` : letters.map(describe).join("\n"));
    } else if (command === "replay" || command === "replay-all") {
      const chosen =
        command === "replay-all"
          ? letters
          : args.map(
              (a) => letters.find((l) => l.dlqSeq === Number(a)) ?? Promise.reject(new Error(`no dead letter #${a}`)),
            );
      for (const letter of await Promise.all(chosen)) {
        await replayDeadLetter(jetstream(nc), jsm, names, letter);
        console.log(`replayed #${letter.dlqSeq}`);
      }
    } else {
      console.error("usage: dead-letters.ts list | replay <dlq-seq>... | replay-all");
      process.exitCode = 2;
    }
  } finally {
    await nc.close();
  }
}

const [command, ...args] = process.argv.slice(2);
await (command === "outbox" ? outboxDeadLetters(args) : streamDeadLetters(command, args));
