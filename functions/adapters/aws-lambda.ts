import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Hono } from "hono";
import { handle, type APIGatewayProxyResult, type LambdaEvent as HttpEvent } from "hono/aws-lambda";
import { hostConfigFromEnv, type HostSecrets } from "./config";
import { HOST_ENV, RECONCILE_EVENT } from "./env";
import { QuorumHost } from "./host";

/**
 * AWS Lambda: the Function URL's payload (format 2.0, the API Gateway v2 shape)
 * becomes a fetch Request for the node's app, and the EventBridge schedule's
 * constant input runs one reconciler pass. The SDK comes with the Node runtime,
 * so the bundle leaves @aws-sdk/* out.
 */
export type LambdaEvent = HttpEvent | typeof RECONCILE_EVENT;

export function createLambdaHandler(host: QuorumHost) {
  // hono's adapter does the event <-> Request/Response translation (base64 bodies, cookies, query).
  const http = handle(new Hono().all("*", (c) => host.fetch(c.req.raw)));
  return async (event: LambdaEvent): Promise<APIGatewayProxyResult | { reconciled: number }> => {
    if ("tricloud" in event && event.tricloud === RECONCILE_EVENT.tricloud)
      return { reconciled: await host.reconcile() };
    return http(event as HttpEvent);
  };
}

/** Both secrets by ARN with the function's role (secretsmanager:GetSecretValue on exactly these two). */
export async function secretsFromSecretsManager(
  env: NodeJS.ProcessEnv,
  client = new SecretsManagerClient({}),
): Promise<HostSecrets> {
  const read = async (name: string) => {
    const arn = env[name];
    if (!arn) throw new Error(`${name}: not set (expected a Secrets Manager ARN)`);
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!out.SecretString) throw new Error(`${name}: the secret has no string value`);
    return out.SecretString;
  };
  const [privateKeyPem, databaseUrl] = await Promise.all([
    read(HOST_ENV.privateKeySecretArn),
    read(HOST_ENV.databaseUrlSecretArn),
  ]);
  return { privateKeyPem, databaseUrl };
}

let defaultHandler: ReturnType<typeof createLambdaHandler> | undefined;

/** The Lambda entry point (handler "index.handler"); one host per instance, built on first use. */
export const handler = (event: LambdaEvent) => {
  defaultHandler ??= createLambdaHandler(
    new QuorumHost({ config: hostConfigFromEnv(process.env), secrets: () => secretsFromSecretsManager(process.env) }),
  );
  return defaultHandler(event);
};
