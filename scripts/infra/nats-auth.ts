import { randomBytes } from "node:crypto";
import { ANY_DISPUTE_EVENT } from "../../services/contracts/events/dispute-event.js";
import { ANY_PAYMENT_EVENT } from "../../services/contracts/events/payment-event.js";
import { ANY_PAYOUT_EVENT } from "../../services/contracts/events/payout-event.js";
import { ANY_REFUND_EVENT } from "../../services/contracts/events/refund-event.js";
import { LEDGER_CONSUMERS } from "../../services/ledger/events/consumers.js";
import type { ConsumerBinding } from "../../services/lib/events/event-consumers.js";
import { inboxPrefixOf } from "../../services/lib/events/nats.js";
import { replayBinding, replaySubject } from "../../services/lib/events/replay.js";
import { deadLetterStream, poisonSubject, type EventStreamNames } from "../../services/lib/events/streams.js";
import { WALLET_CONSUMERS } from "../../services/wallet/events/consumers.js";

/** The NATS users: one per service that connects, and one for the operators' scripts (dead-letter replay). */
export const NATS_USERS = ["payment", "wallet", "ledger", "console", "operator-tools"] as const;
export type NatsUser = (typeof NATS_USERS)[number];

export interface Permissions {
  publish: string[];
  subscribe: string[];
}

/**
 * The streams the permissions name. For one platform, its stream names; for a test run, where every test has
 * streams of its own on one server, "*" in each place (the roles stay apart, the stream names do not).
 */
export interface NatsAuthScope {
  stream: string;
  deadLetterStream: string;
  subjectPrefix: string;
}

export const scopeOf = (names: EventStreamNames): NatsAuthScope => ({
  ...names,
  deadLetterStream: deadLetterStream(names),
});
export const ANY_STREAMS: NatsAuthScope = { stream: "*", deadLetterStream: "*", subjectPrefix: "*" };

/** The events each producer publishes, under the subject prefix: nobody else may. */
const PAYMENT_EVENTS = [ANY_PAYMENT_EVENT, ANY_REFUND_EVENT, ANY_DISPUTE_EVENT];
const WALLET_EVENTS = [ANY_PAYOUT_EVENT];

const api = (request: string) => `$JS.API.${request}`;

/**
 * Producers create both streams at start (consumers wait for them); nobody may update, delete or purge them: new
 * limits could discard events not yet consumed.
 */
function streamKeeper(scope: NatsAuthScope): string[] {
  return [scope.stream, scope.deadLetterStream].flatMap((s) => [api(`STREAM.INFO.${s}`), api(`STREAM.CREATE.${s}`)]);
}

/** A durable of one's own: create it (with exactly its filter: the filter is part of the API subject), pull, ack. */
function durableOf(scope: NatsAuthScope, { durable, subject }: ConsumerBinding): string[] {
  return [
    api(`CONSUMER.INFO.${scope.stream}.${durable}`),
    api(`CONSUMER.CREATE.${scope.stream}.${durable}.${scope.subjectPrefix}.${subject}`),
    api(`CONSUMER.MSG.NEXT.${scope.stream}.${durable}`),
    `$JS.ACK.${scope.stream}.${durable}.>`,
  ];
}

/**
 * Each durable, with its replay durable, and where it records its poison messages. A replay pointer names an event
 * by its sequence, which the consumer reads itself (`STREAM.MSG.GET`). The dead-letter stream's info is for the
 * metrics.
 */
function consumerOf(scope: NatsAuthScope, consumers: readonly ConsumerBinding[]): string[] {
  const names = { stream: scope.stream, subjectPrefix: scope.subjectPrefix };
  return [
    api(`STREAM.INFO.${scope.deadLetterStream}`),
    api(`STREAM.MSG.GET.${scope.stream}`),
    ...consumers.flatMap((c) => [
      ...durableOf(scope, c),
      ...durableOf(scope, replayBinding(c.durable)),
      poisonSubject(names, c.durable),
    ]),
  ];
}

/**
 * Lists and replays dead letters: reads both streams, removes a replayed record, and sends a replay pointer to the
 * consumer that gave up (never the event itself: only its producer may publish an event).
 */
function deadLetterOperator(scope: NatsAuthScope): string[] {
  const names = { stream: scope.stream, subjectPrefix: scope.subjectPrefix };
  return [
    api(`STREAM.INFO.${scope.deadLetterStream}`),
    api(`STREAM.MSG.GET.${scope.deadLetterStream}`),
    api(`STREAM.MSG.DELETE.${scope.deadLetterStream}`),
    api(`STREAM.MSG.GET.${scope.stream}`),
    ...[...LEDGER_CONSUMERS, ...WALLET_CONSUMERS].map(({ durable }) => replaySubject(names, durable)),
  ];
}

/** What `user` may publish and subscribe to; everything else the server refuses. */
export function natsPermissions(user: NatsUser, scope: NatsAuthScope): Permissions {
  const events = (subjects: string[]) => subjects.map((s) => `${scope.subjectPrefix}.${s}`);
  const publish: Record<NatsUser, string[]> = {
    payment: [...streamKeeper(scope), ...events(PAYMENT_EVENTS)],
    wallet: [...streamKeeper(scope), ...events(WALLET_EVENTS), ...consumerOf(scope, WALLET_CONSUMERS)],
    ledger: consumerOf(scope, LEDGER_CONSUMERS),
    console: deadLetterOperator(scope),
    "operator-tools": deadLetterOperator(scope),
  };
  // The payment service also listens to its own payment events as they pass (WatchPayment's hints).
  const listens = user === "payment" ? events([ANY_PAYMENT_EVENT]) : [];
  return {
    publish: [api("INFO"), ...new Set(publish[user])],
    subscribe: [`${inboxPrefixOf(user)}.>`, ...listens],
  };
}

export type NatsPasswords = Record<NatsUser, string>;

export function randomNatsPasswords(): NatsPasswords {
  return Object.fromEntries(NATS_USERS.map((user) => [user, randomBytes(18).toString("base64url")])) as NatsPasswords;
}

export interface NatsUserEntry {
  user: string;
  password: string;
  permissions: Permissions;
}

const quoted = (s: string) => JSON.stringify(s);
const list = (items: string[]) => `[${items.map(quoted).join(", ")}]`;

/**
 * A nats-server's authorization: one user per service, each allowed exactly its subjects (`extraUsers`: e.g. a
 * test harness's own). Anonymous connections are refused.
 */
export function natsAuthConfig(
  passwords: NatsPasswords,
  scope: NatsAuthScope,
  extraUsers: NatsUserEntry[] = [],
): string {
  const users = [
    ...NATS_USERS.map((user) => ({ user, password: passwords[user], permissions: natsPermissions(user, scope) })),
    ...extraUsers,
  ];
  const entries = users.map(
    ({ user, password, permissions }) =>
      `    {\n      user: ${quoted(user)}\n      password: ${quoted(password)}\n      permissions: {\n` +
      `        publish: { allow: ${list(permissions.publish)} }\n        subscribe: { allow: ${list(permissions.subscribe)} }\n      }\n    }`,
  );
  return `authorization {\n  users = [\n${entries.join("\n")}\n  ]\n}\n`;
}
