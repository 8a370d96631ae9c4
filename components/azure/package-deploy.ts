import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { local } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/**
 * Deploys a function package to a Flex Consumption app with the Azure CLI:
 * `az functionapp deployment source config-zip`, the CLI's deploy command for Functions
 * (https://learn.microsoft.com/en-us/cli/azure/functionapp/deployment/source, read 2026-11-30). For a
 * Flex Consumption app it posts the zip to the app's one deploy endpoint (`<scm>/api/publish`) with
 * the signed-in principal's Entra token (Azure/azure-cli, appservice `enable_zip_deploy_flex`), and
 * the platform writes the package into the app's deployment container with the app's own identity:
 * the only deployment Flex Consumption supports, which also syncs the triggers
 * (https://learn.microsoft.com/en-us/azure/azure-functions/functions-deployment-technologies). No blob
 * URL is handed over, so no SAS and no public container. The deployer needs rights on the app (Website
 * Contributor or Contributor), no data role on the storage account. A `command:local:Command`
 * (pulumi-command) rather than a dynamic provider: nothing of the program is serialized, and its
 * inputs are stable between runs (no per-run token), so a preview shows no change until the package does.
 */
export interface PackageDeployArgs {
  resourceGroupName: pulumi.Input<string>;
  /** The Function App's name. */
  appName: pulumi.Input<string>;
  /** The bundle's sha256: the deploy is redone exactly when it (or the app) changes. */
  sha256: string;
  /** The zip on this machine (written by the program that declares the deploy). */
  file: pulumi.Input<string>;
}

/** Attempts the deploy script makes, 10 s apart: 5 minutes for a fresh role assignment to apply. */
export const DEPLOY_ATTEMPTS = 30;

/**
 * Flex Consumption writes the package with the app's identity, whose role on the deployment storage
 * is created in the same run and takes up to a few minutes to apply; until then the publish endpoint
 * answers 400 with a BlobUploadFailedException (403 from storage). So that refusal is retried every
 * 10 s for 5 minutes (the last error printed); any other failure, or an az that does not finish within
 * 15 minutes, stops at once. `az` must be signed in as the principal that
 * runs `pulumi up` (CI: azure/login with OIDC; on a laptop: `az login`). `--build-remote false`: the
 * bundle is built already (the CLI builds remotely by default only for Python); `--timeout`: how long
 * the CLI follows the deployment's status, in seconds.
 */
export const DEPLOY_SCRIPT = [
  "set -u",
  // In a GitHub Actions job with OIDC (deploy.yml): az signed in by azure/login holds one GitHub token, which expires
  // within minutes and cannot be refreshed (AADSTS700024 once pulumi up has run a while), so each attempt signs in
  // again from a fresh token. Elsewhere (`az login` on a laptop) nothing changes. scripts/azure-oidc.mjs does the same
  // for the publish scripts.
  "renew() {",
  '  [ -n "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] && [ -n "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ] && [ -n "${ARM_CLIENT_ID:-}" ] && [ -n "${ARM_TENANT_ID:-}" ] || return 0',
  '  token=$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange" | node -e \'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.stdout.write(JSON.parse(s).value))\') || return 1',
  '  az login --service-principal --username "$ARM_CLIENT_ID" --tenant "$ARM_TENANT_ID" --federated-token "$token" --only-show-errors --output none || return 1',
  '  [ -z "${ARM_SUBSCRIPTION_ID:-}" ] || az account set --subscription "$ARM_SUBSCRIPTION_ID"',
  "}",
  // Each deploy at most 15 minutes where coreutils' timeout exists (CI runners): the CLI follows a Flex deployment
  // with a health poll of its own that was seen not to end, and a hung step would hold `pulumi up` forever. Such a
  // timeout (124) is reported and not retried: the package may well be in, and posting it again would only hang again.
  'bounded() { if command -v timeout >/dev/null 2>&1; then timeout 900 "$@"; else "$@"; fi; }',
  'command -v az >/dev/null 2>&1 || { echo "az (the Azure CLI, 2.60 or later) is not on PATH: the function package is deployed with it" >&2; exit 1; }',
  'out="${TMPDIR:-/tmp}/tricloud-deploy-$$.log"',
  `for attempt in $(seq 1 ${DEPLOY_ATTEMPTS}); do`,
  '  renew || echo "signing az in again from GitHub\'s OIDC token failed (attempt $attempt)" >&2',
  '  bounded az functionapp deployment source config-zip --resource-group "$RESOURCE_GROUP" --name "$APP"' +
    ' --src "$FILE" --build-remote false --timeout 600 --only-show-errors --output none > "$out" 2>&1',
  "  code=$?",
  '  cat "$out" >&2',
  '  if [ "$code" -eq 0 ]; then rm -f "$out"; exit 0; fi',
  '  if [ "$code" -eq 124 ]; then',
  '    echo "deploy of $FILE to $APP: az did not finish within 15 minutes (its status poll after a Flex deploy can hang once the package is in); look at the app\'s deployments in the Azure portal (Deployment Center) before running pulumi up again" >&2',
  '    rm -f "$out"; exit 1',
  "  fi",
  // Only the refusal a role assignment still applying explains is retried; any other failure stops at once.
  "  if ! grep -Eq 'BlobUploadFailed|Status Code: 403|Forbidden|AuthorizationFailed' \"$out\"; then",
  '    echo "deploy of $FILE to $APP failed (exit $code), not with the refusal a role assignment still applying gives; not retried" >&2',
  '    rm -f "$out"; exit 1',
  "  fi",
  `  echo "deploy of $FILE to $APP refused (attempt $attempt of ${DEPLOY_ATTEMPTS}); retrying in 10 s" >&2`,
  "  sleep 10",
  "done",
  'rm -f "$out"',
  "exit 1",
].join("\n");

export function deployPackage(
  name: string,
  args: PackageDeployArgs,
  opts: pulumi.CustomResourceOptions,
): local.Command {
  return new local.Command(
    name,
    {
      create: DEPLOY_SCRIPT,
      update: DEPLOY_SCRIPT,
      // Nothing on delete: the package in the deployment container goes with the app's storage account.
      environment: {
        RESOURCE_GROUP: args.resourceGroupName,
        APP: args.appName,
        FILE: args.file,
      },
      triggers: [args.resourceGroupName, args.appName, args.sha256],
      interpreter: ["/bin/sh", "-c"],
    },
    opts,
  );
}

// ---- zip --------------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A deterministic zip (deflate, fixed 1980-01-01 timestamps, the given order) of text files: the
 * package format Functions one deploy takes. Node has no zip writer and the format is small.
 */
export function zipFiles(files: readonly { name: string; text: string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const data = Buffer.from(f.text, "utf8");
    const packed = deflateRawSync(data, { level: 9 });
    const name = Buffer.from(f.name, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** Writes an archive of text assets as a zip under the OS temp directory (named by `sha256`) and returns its path. */
export async function writePackage(sha256: string, archive: pulumi.asset.AssetArchive): Promise<string> {
  const entries = Object.entries(archive.assets).sort(([a], [b]) => a.localeCompare(b));
  const files = await Promise.all(
    entries.map(async ([name, asset]) => ({ name, text: await (asset as pulumi.asset.StringAsset).text })),
  );
  const dir = join(tmpdir(), "tricloud-packages");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `azure-functions-${sha256}.zip`);
  writeFileSync(file, zipFiles(files));
  return file;
}
