/** A message a consumer gave up on, as recorded by JetStream's advisory, with the original message. */
export interface DeadLetter {
  /** Sequence in the dead-letter stream: the handle to replay it. */
  dlqSeq: number;
  /**
   * Every record of this message by this consumer. A poison message whose record was slow to publish can also
   * be redelivered until max_deliver, so JetStream's advisory joins the consumer's own record.
   */
  recordSeqs: number[];
  /** max_deliveries: every delivery failed; poison: the consumer found it can never be processed. */
  kind: "max_deliveries" | "poison";
  consumer: string;
  streamSeq: number;
  deliveries: number;
  reason: string;
  recordedAt: string;
  /** The original message, if the event stream still has it. */
  original?: { subject: string; msgId: string; data: Uint8Array };
}
