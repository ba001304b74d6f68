/** A PSP's REST API, called with its secret key. */
export type PspApi = (path: string, init?: RequestInit) => Promise<Response>;

export function pspApiWithKey(pspUrl: string, apiKey: string): PspApi {
  return (path, init) =>
    fetch(new URL(path, pspUrl), {
      ...init,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...init?.headers },
    });
}
