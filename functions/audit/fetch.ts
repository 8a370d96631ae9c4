/** The auditor's only I/O: GET a node's JSON. Errors name the URL. */
export type FetchJson = (url: string) => Promise<{ status: number; body: unknown }>;

export function httpFetchJson(timeoutMs = 10_000): FetchJson {
  return async (url) => {
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new Error(`GET ${url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const text = await res.text();
    try {
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    } catch {
      throw new Error(`GET ${url}: answered ${res.status} with a body that is not JSON`);
    }
  };
}
