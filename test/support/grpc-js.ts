import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const PROTO_ROOT = fileURLToPath(new URL("../../proto", import.meta.url));

/** A plain @grpc/grpc-js client built from our .proto files: proves the servers speak standard gRPC. */
export type GrpcJsClient = grpc.Client & Record<string, Function>;

export function grpcJsClient(protoFile: string, serviceName: string, url: string): GrpcJsClient {
  const definition = protoLoader.loadSync(protoFile, {
    includeDirs: [PROTO_ROOT],
    longs: String,
    enums: String,
    defaults: true,
  });
  const loaded = grpc.loadPackageDefinition(definition);
  const Service = serviceName.split(".").reduce<any>((node, key) => node[key], loaded) as grpc.ServiceClientConstructor;
  return new Service(new URL(url).host, grpc.credentials.createInsecure()) as GrpcJsClient;
}

/** Calls a unary method; rejects with the grpc.ServiceError (which carries `.code` and `.details`). */
export function unary<T = any>(client: GrpcJsClient, method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, (err: grpc.ServiceError | null, response: T) => (err ? reject(err) : resolve(response)));
  });
}

export { grpc };

/**
 * Calls a server-streaming method: `first` resolves with the first message (the server is then surely past its
 * start), `all` with every message once the server ends the stream.
 */
export function serverStream<T = any>(client: GrpcJsClient, method: string, request: object): { first: Promise<T>; all: Promise<T[]> } {
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
