import type { Server } from "node:net";
import type { AddressInfo } from "node:net";

/** Listens on host:port (0 = any free port) and says which port it got. */
export async function listen(server: Server, port: number | undefined, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
