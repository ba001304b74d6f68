/**
 * Inspect and replay dead letters (events a consumer gave up on).
 *   npx tsx scripts/dead-letters.ts list
 *   npx tsx scripts/dead-letters.ts replay <dlq-seq> [<dlq-seq>...]
 *   npx tsx scripts/dead-letters.ts replay-all
 * NATS_URL, EVENTS_STREAM and EVENTS_SUBJECT_PREFIX select the servers and streams; NATS_USER / NATS_PASSWORD are
 * the operator-tools user's.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { listDeadLetters, replayDeadLetter, type DeadLetter } from "../services/lib/events/dead-letters.js";
import { natsConnectOptions, natsEndpointFromEnv } from "../services/lib/events/nats.js";
import { decodePaymentEvent } from "../services/lib/events/payment-event.js";
import { streamNamesFromEnv } from "../services/lib/events/streams.js";

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

const [command, ...args] = process.argv.slice(2);
const names = streamNamesFromEnv();
const nc = await connect(natsConnectOptions(natsEndpointFromEnv(), "dead-letters"));
try {
  const jsm = await jetstreamManager(nc);
  const letters = await listDeadLetters(jsm, names);
  if (command === "list") {
    console.log(letters.length === 0 ? `no dead letters in ${names.stream}_DLQ` : letters.map(describe).join("\n"));
  } else if (command === "replay" || command === "replay-all") {
    const chosen = command === "replay-all" ? letters : args.map((a) => letters.find((l) => l.dlqSeq === Number(a)) ?? Promise.reject(new Error(`no dead letter #${a}`)));
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
