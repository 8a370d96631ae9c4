import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { local } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/**
 * Uploads a function package to a blob with the deployer's Entra ID sign-in, for storage accounts
 * that refuse shared keys. azure-native's storage.Blob writes with the account key
 * (pulumi/pulumi-azure-native #2015, PR #3719), which an account with allowSharedKeyAccess: false
 * answers with 403 KeyBasedAuthenticationNotPermitted. `az storage blob upload --auth-mode login`
 * is Microsoft's documented Entra path (https://learn.microsoft.com/en-us/azure/storage/blobs/blob-cli,
 * read 2026-11-30); the signed-in principal needs a data role on the account (Storage Blob Data
 * Contributor, granted by the caller). A `command:local:Command` (pulumi-command) rather than a
 * dynamic provider: nothing of the program is serialized, and its inputs are stable between runs
 * (no per-run token), so a preview shows no change until the package does.
 */
export interface PackageUploadArgs {
  /** The storage account's name. */
  account: pulumi.Input<string>;
  container: string;
  /** The bundle's sha256: names the blob, and the upload is redone exactly when it changes. */
  sha256: string;
  /** The zip on this machine (written by the program that declares the upload). */
  file: pulumi.Input<string>;
}

/** The blob a package with this sha256 is uploaded to, inside the deployment container. */
export const packageBlobName = (sha256: string) => `releases/${sha256}.zip`;

/**
 * A role assignment made in the same run takes up to a few minutes to apply, so a refused upload is
 * retried every 10 s for 5 minutes; the last error is printed. `az` must be signed in as the principal
 * that runs `pulumi up` (CI: azure/login with OIDC; on a laptop: `az login`).
 */
export const UPLOAD_SCRIPT = [
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
  "for attempt in $(seq 1 30); do",
  '  renew || echo "signing az in again from GitHub\'s OIDC token failed (attempt $attempt)" >&2',
  '  if az storage blob upload --auth-mode login --account-name "$ACCOUNT" --container-name "$CONTAINER"' +
    ' --name "$BLOB" --file "$FILE" --content-type application/zip --metadata "sha256=$SHA256"' +
    " --overwrite true --only-show-errors --output none; then exit 0; fi",
  '  echo "upload of $BLOB refused (attempt $attempt of 30); retrying in 10 s" >&2',
  "  sleep 10",
  "done",
  "exit 1",
].join("\n");

export function uploadPackage(
  name: string,
  args: PackageUploadArgs,
  opts: pulumi.CustomResourceOptions,
): local.Command {
  const blob = packageBlobName(args.sha256);
  return new local.Command(
    name,
    {
      create: UPLOAD_SCRIPT,
      update: UPLOAD_SCRIPT,
      // Old packages stay until the storage account goes with the stack: harmless, and a rollback can use them.
      environment: {
        ACCOUNT: args.account,
        CONTAINER: args.container,
        BLOB: blob,
        FILE: args.file,
        SHA256: args.sha256,
      },
      triggers: [args.account, args.container, args.sha256],
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
