import { randomInt } from "node:crypto";
import net from "node:net";

// Below Linux's ephemeral range (32768-60999): a port picked here now and bound later by another process cannot be
// taken meanwhile by the kernel for someone's outgoing connection or listen(0), as a port from listen(0) can.
const LOW = 20_000;
const HIGH = 32_767;
const TRIES = 20;

function bindable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** A port nothing listens on now, to hand to a process that binds it later. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < TRIES; i++) {
    const port = await bindable(randomInt(LOW, HIGH + 1));
    if (port !== undefined) return port;
  }
  const any = await bindable(0);
  if (any === undefined) throw new Error("no free TCP port on 127.0.0.1");
  return any;
}
