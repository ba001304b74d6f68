/** GET of a local daemon's JSON (Patroni's REST, etcd's health, nats-server's monitoring), failing fast when it hangs. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}
