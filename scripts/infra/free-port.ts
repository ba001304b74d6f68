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

/**
 * The ports this process handed out. Until their processes bind them they look free, and a cluster picks some sixty:
 * drawn at random from 12,768, two would be the same one run in seven (EADDRINUSE at start).
 */
const handedOut = new Set<number>();

/** A port nothing listens on now, and not handed out before by this process, to hand to a process that binds it later. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < TRIES; i++) {
    const candidate = randomInt(LOW, HIGH + 1);
    const port = handedOut.has(candidate) ? undefined : await bindable(candidate);
    if (port !== undefined) return handOut(port);
  }
  const any = await bindable(0);
  if (any === undefined) throw new Error("no free TCP port on 127.0.0.1");
  return handOut(any);
}

function handOut(port: number): number {
  handedOut.add(port);
  return port;
}
