import { startTcpProxy, type TcpProxy } from "./tcp-proxy.js";

/** A proxy in front of `databaseUrl`'s server, which a test cuts to play a primary going away. */
export function startDatabaseProxy(databaseUrl: string): Promise<TcpProxy> {
  const url = new URL(databaseUrl);
  return startTcpProxy(url.hostname, Number(url.port || 5432));
}

/** `databaseUrl` reached through 127.0.0.1:`port` (a proxy's) instead. */
export function databaseUrlViaPort(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return url.toString();
}
