/**
 * Azure Functions and Cloud Functions hand over a request object of their own; the
 * node's app takes a fetch Request. These two helpers are the whole translation:
 * method, absolute URL, headers, raw body bytes in; status, headers, body bytes out.
 */
export function toFetchRequest(
  method: string,
  url: string,
  headers: Iterable<[string, string]>,
  body: Uint8Array | undefined,
): Request {
  const hasBody = method !== "GET" && method !== "HEAD" && body !== undefined && body.byteLength > 0;
  return new Request(url, { method, headers: new Headers([...headers]), ...(hasBody ? { body } : {}) });
}

export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export async function fromFetchResponse(response: Response): Promise<PlainResponse> {
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}
