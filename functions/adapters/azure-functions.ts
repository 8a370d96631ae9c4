import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from "@azure/functions";
import { hostConfigFromEnv, secretsFromEnv } from "./config";
import { HOST_ENV } from "./env";
import { fromFetchResponse, toFetchRequest } from "./fetch-bridge";
import { QuorumHost } from "./host";

/**
 * Azure Functions, v4 Node programming model: one anonymous HTTP trigger on every
 * route (host.json sets routePrefix to "" so /health is /health) and a timer
 * trigger for the reconciler. The two secrets are app settings holding Key Vault
 * references; the platform resolves them with the app's managed identity.
 */
export function createAzureHttpHandler(host: QuorumHost) {
  return async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const body =
      request.method === "GET" || request.method === "HEAD" ? undefined : new Uint8Array(await request.arrayBuffer());
    const response = await host.fetch(toFetchRequest(request.method, request.url, request.headers, body));
    return fromFetchResponse(response);
  };
}

export function createAzureTimerHandler(host: QuorumHost) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    context.log(`reconciled ${await host.reconcile()} events`);
  };
}

/** Registers both triggers; runs when the Functions host loads the bundle (package.json "main"). */
export function registerAzureFunctions(host: QuorumHost): void {
  app.http("api", {
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    authLevel: "anonymous",
    route: "{*path}",
    handler: createAzureHttpHandler(host),
  });
  // %NAME% makes the schedule an app setting, so the program decides it without a rebuild.
  app.timer("reconcile", {
    schedule: `%${HOST_ENV.reconcileSchedule}%`,
    runOnStartup: false,
    handler: createAzureTimerHandler(host),
  });
}

/**
 * Whether this module runs inside the Functions Node worker: the worker provides
 * @azure/functions-core, which @azure/functions needs to register anything. Not the
 * FUNCTIONS_WORKER_RUNTIME setting: Flex Consumption refuses it as an app setting
 * (functionAppConfig.runtime replaces it), and nothing documents that the worker's environment
 * still carries it.
 */
export function insideFunctionsWorker(): boolean {
  try {
    require("@azure/functions-core");
    return true;
  } catch {
    return false;
  }
}

// Only inside the Functions worker: tests import the factories above without reading the environment.
if (insideFunctionsWorker()) {
  registerAzureFunctions(
    new QuorumHost({ config: hostConfigFromEnv(process.env), secrets: async () => secretsFromEnv(process.env) }),
  );
}
