// Signs the az CLI in again from GitHub's OIDC token, inside a GitHub Actions job that has `id-token: write` and
// the ARM_* ids (deploy.yml). azure/login hands az one GitHub token, which expires within minutes and cannot be
// refreshed, so an az call long after the sign-in fails with AADSTS700024 (Azure/azure-cli#33989). Outside such a
// job (a laptop signed in with `az login`) it does nothing. The shell form of the same three commands is in
// components/azure/package-deploy.ts (DEPLOY_SCRIPT), for the package deploy `pulumi up` runs.
import { spawnSync } from "node:child_process";

/** Minutes after which a sign-in is renewed before the next az call (GitHub's tokens last a few minutes). */
const RENEW_AFTER_MS = 4 * 60 * 1000;
let signedInAt = 0;

/** Whether this runs in a GitHub Actions job that may mint OIDC tokens for Azure. */
export const canRenew = (env = process.env) =>
  Boolean(
    env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN && env.ARM_CLIENT_ID && env.ARM_TENANT_ID,
  );

/** The three commands: a fresh GitHub token for Azure's audience, `az login` with it, the subscription. */
export function renewCommands(env = process.env) {
  const url = `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`;
  return {
    token: ["curl", "-sSf", "-H", `Authorization: bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, url],
    login: (token) => [
      "az",
      "login",
      "--service-principal",
      "--username",
      env.ARM_CLIENT_ID,
      "--tenant",
      env.ARM_TENANT_ID,
      "--federated-token",
      token,
      "--only-show-errors",
      "--output",
      "none",
    ],
    subscription: env.ARM_SUBSCRIPTION_ID
      ? ["az", "account", "set", "--subscription", env.ARM_SUBSCRIPTION_ID]
      : undefined,
  };
}

/** Before an az call: signs in again when the last sign-in here is older than RENEW_AFTER_MS (or there was none). */
export function renewAzureSignIn({ env = process.env, now = Date.now(), exec = defaultExec } = {}) {
  if (!canRenew(env) || now - signedInAt < RENEW_AFTER_MS) return false;
  const c = renewCommands(env);
  const t = exec(c.token);
  if (t.status !== 0) throw new Error(`GitHub OIDC token for Azure: curl exited ${t.status}: ${t.stderr.trim()}`);
  const token = JSON.parse(t.stdout).value;
  const login = exec(c.login(token));
  if (login.status !== 0)
    throw new Error(`az login with a fresh GitHub OIDC token exited ${login.status}: ${login.stderr.trim()}`);
  if (c.subscription) {
    const set = exec(c.subscription);
    if (set.status !== 0) throw new Error(`az account set exited ${set.status}: ${set.stderr.trim()}`);
  }
  signedInAt = now;
  return true;
}

function defaultExec(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new Error(`${argv[0]}: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
