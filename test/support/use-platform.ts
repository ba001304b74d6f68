import { afterAll, beforeAll } from "vitest";
import type { Identity } from "../../services/lib/tls/identity.js";
import { serviceClient, type ServiceClient, type ServiceName } from "./clients.js";
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from "./platform.js";

export interface PlatformUnderTest {
  platform: TestPlatform;
  /** A typed connect client (support/clients.ts) of one of the platform's services, calling as `identity`, kept for the file. */
  client<S extends ServiceName>(service: S, identity: Identity): ServiceClient<S>;
}

/**
 * Starts a test platform for the file (beforeAll) with typed connect clients of its services on demand, and stops it
 * all afterwards. Read the fields inside tests: they are set once beforeAll has run.
 */
export function usePlatform(options: TestPlatformOptions = {}): PlatformUnderTest {
  const clients = new Map<string, ServiceClient<ServiceName>>();
  const client = <S extends ServiceName>(service: S, identity: Identity): ServiceClient<S> => {
    const key = `${identity} ${service}`;
    if (!clients.has(key)) clients.set(key, serviceClient(service, under.platform[service].url, identity));
    return clients.get(key) as ServiceClient<S>;
  };
  // The clients come on first use: a file that starts some services only has those.
  const under = { client } as PlatformUnderTest;
  beforeAll(async () => {
    under.platform = await startTestPlatform(options);
  });
  afterAll(async () => {
    await under.platform?.close();
  });
  return under;
}
