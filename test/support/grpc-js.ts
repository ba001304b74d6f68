import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { OPERATOR_HEADER } from "../../services/lib/auth/policy.js";
import type { Identity } from "../../services/lib/tls/identity.js";
import type { TlsMaterial } from "../../services/lib/tls/tls-material.js";
import { testTls } from "./tls.js";

const PROTO_ROOT = fileURLToPath(new URL("../../proto", import.meta.url));

/**
 * A plain @grpc/grpc-js client built from our .proto files, calling over mutual TLS as `identity` (of the test PKI,
 * or any certificate given): proves the servers speak standard gRPC with standard certificates.
 */
export type GrpcJsClient = grpc.Client & Record<string, Function>;

export function grpcJsClient(
  protoFile: string,
  serviceName: string,
  url: string,
  identity: Identity | TlsMaterial,
): GrpcJsClient {
  const definition = protoLoader.loadSync(protoFile, {
    includeDirs: [PROTO_ROOT],
    longs: String,
    enums: String,
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition);
  const Service = serviceName.split(".").reduce<any>((node, key) => node[key], loaded) as grpc.ServiceClientConstructor;
  const tls = typeof identity === "string" ? testTls(identity) : identity;
  const credentials = grpc.credentials.createSsl(Buffer.from(tls.ca), Buffer.from(tls.key), Buffer.from(tls.cert));
  return new Service(new URL(url).host, credentials) as GrpcJsClient;
}

/** Calls a unary method; rejects with the grpc.ServiceError (which carries `.code` and `.details`). */
export function unary<T = any>(
  client: GrpcJsClient,
  method: string,
  request: object,
  metadata = new grpc.Metadata(),
  options: grpc.CallOptions = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, metadata, options, (err: grpc.ServiceError | null, response: T) =>
      err ? reject(err) : resolve(response),
    );
  });
}

/** The metadata with which the console vouches for a logged-in operator (only the console identity may send it). */
export function onBehalfOf(operator: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(OPERATOR_HEADER, operator);
  return metadata;
}

export { grpc };

/**
 * Calls a server-streaming method: `first` resolves with the first message (the server is then surely past its
 * start), `all` with every message once the server ends the stream.
 */
export function serverStream<T = any>(
  client: GrpcJsClient,
  method: string,
  request: object,
): { first: Promise<T>; all: Promise<T[]> } {
  const call = client[method]!(request) as grpc.ClientReadableStream<T>;
  const first = new Promise<T>((resolve, reject) => {
    call.once("data", resolve);
    call.once("error", reject);
  });
  const all = (async () => {
    const messages: T[] = [];
    for await (const message of call) messages.push(message);
    return messages;
  })();
  // Whichever one the caller awaits reports the failure; the other must not count as unhandled.
  first.catch(() => {});
  all.catch(() => {});
  return { first, all };
}
