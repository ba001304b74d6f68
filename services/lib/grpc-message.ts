import type http2 from "node:http2";

/**
 * Percent-encodes a status message the way the gRPC HTTP/2 spec spells it: printable ASCII except "%" stays
 * as is, every other UTF-8 byte becomes %XX.
 */
export function encodeGrpcMessage(message: string): string {
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function respell(headers: http2.OutgoingHttpHeaders | undefined): void {
  const value = headers?.["grpc-message"];
  if (typeof value !== "string") return;
  try {
    headers!["grpc-message"] = encodeGrpcMessage(decodeURIComponent(value));
  } catch {
    // Not valid percent-encoding: leave it as it is.
  }
}

/**
 * connect-es encodes grpc-message with encodeURIComponent, and @grpc/grpc-js decodes it with decodeURI, which
 * leaves reserved characters encoded: a grpc-js caller would read "orders%5B0%5D.amount%3A is required".
 * Re-spelling the message in the spec's minimal form makes it read right in every client.
 */
export function spellGrpcMessagePerSpec(res: http2.Http2ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (
    status: number,
    headers?: http2.OutgoingHttpHeaders,
  ) => http2.Http2ServerResponse;
  const addTrailers = res.addTrailers.bind(res);
  res.writeHead = ((status: number, headers?: http2.OutgoingHttpHeaders) => {
    respell(headers);
    return writeHead(status, headers);
  }) as typeof res.writeHead;
  res.addTrailers = (trailers: http2.OutgoingHttpHeaders) => {
    respell(trailers);
    addTrailers(trailers);
  };
}
