import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { PoisonMessage } from "./consumer.js";

/** The protobuf message in `bytes`; bytes that are not one can never be processed: a poison message. */
export function decodeOrPoison<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new PoisonMessage(`not a ${schema.name}: ${(err as Error).message}`);
  }
}
