import * as functions from "@google-cloud/functions-framework";
import { hostConfigFromEnv, secretsFromEnv } from "./config";
import { fromFetchResponse, toFetchRequest } from "./fetch-bridge";
import { QuorumHost } from "./host";

/**
 * Cloud Functions 2nd gen (functions framework): the public "api" function serves the
 * node's app, and the private "reconcile" function (invoked by Cloud Scheduler with
 * an OIDC token) runs one reconciler pass. Both entry points ship in one bundle;
 * each function's entryPoint picks its own. Secret Manager versions arrive as
 * environment variables.
 */
export function createGcpHttpHandler(host: QuorumHost, service: string | undefined = process.env.K_SERVICE) {
  return async (req: functions.Request, res: functions.Response): Promise<void> => {
    const headers: [string, string][] = [];
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.push([name, Array.isArray(value) ? value.join(", ") : value]);
    }
    // The framework's body parsers keep the bytes they parsed in rawBody; the app parses them itself.
    const body = req.rawBody ? new Uint8Array(req.rawBody) : undefined;
    const path = withoutServiceSegment(req.originalUrl, service);
    const url = `${req.protocol}://${req.get("host") ?? "localhost"}${path}`;
    const out = await fromFetchResponse(await host.fetch(toFetchRequest(req.method, url, headers, body)));
    res.status(out.status);
    for (const [name, value] of Object.entries(out.headers)) res.setHeader(name, value);
    res.end(Buffer.from(out.body));
  };
}

/**
 * The request path without a leading `/<service>` segment. Peers call the function at
 * `https://REGION-PROJECT.cloudfunctions.net/<name>/v1/peer/...`; Google documents that URL and the run.app
 * one as behaving the same (https://cloud.google.com/functions/docs/calling/http), so the name should not
 * reach the code, but no page says so outright. Dropping it here keeps the routes right either way; only a
 * whole segment equal to the service name (K_SERVICE, the function's Cloud Run service) is dropped.
 */
export function withoutServiceSegment(originalUrl: string, service: string | undefined): string {
  if (!service) return originalUrl;
  const prefix = `/${service}`;
  if (!originalUrl.startsWith(prefix)) return originalUrl;
  const rest = originalUrl.slice(prefix.length);
  if (rest === "" || rest.startsWith("?")) return `/${rest}`;
  return rest.startsWith("/") ? rest : originalUrl;
}

export function createGcpReconcileHandler(host: QuorumHost) {
  return async (_req: functions.Request, res: functions.Response): Promise<void> => {
    try {
      res.status(200).json({ reconciled: await host.reconcile() });
    } catch (err) {
      // A 500 makes Cloud Scheduler record the run as failed (and retry per its policy).
      console.error(`tricloud: reconcile failed: ${err instanceof Error ? err.message : String(err)}`);
      res.status(500).json({ error: { code: "INTERNAL", message: "reconcile: failed; see the function log" } });
    }
  };
}

export function registerGcpFunctions(host: QuorumHost): void {
  functions.http("api", createGcpHttpHandler(host));
  functions.http("reconcile", createGcpReconcileHandler(host));
}

// Only on Cloud Functions (K_SERVICE is set by Cloud Run); tests register their own host.
if (process.env.K_SERVICE) {
  registerGcpFunctions(
    new QuorumHost({ config: hostConfigFromEnv(process.env), secrets: async () => secretsFromEnv(process.env) }),
  );
}
