import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
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

export { grpc };
