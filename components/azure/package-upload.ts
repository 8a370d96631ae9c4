import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import * as pulumi from "@pulumi/pulumi";

/**
 * Uploads a function package to a blob with an Entra ID token, for storage accounts that refuse
 * shared keys. azure-native's storage.Blob writes with the account key (pulumi/pulumi-azure-native
 * #2015, PR #3719), which an account with allowSharedKeyAccess: false answers with 403
 * KeyBasedAuthenticationNotPermitted. Put Blob with a bearer token is Microsoft's documented path
 * (https://learn.microsoft.com/en-us/rest/api/storageservices/authorize-with-azure-active-directory,
 * read 2026-11-30); the caller needs a data role on the account (Storage Blob Data Contributor).
 */
export interface PackageUploadArgs {
  /** https://<account>.blob.core.windows.net/<container>/<blob> */
  url: pulumi.Input<string>;
  /** The bundle's sha256: the upload is redone exactly when it changes. */
  sha256: string;
  /** The zip on this machine (written by the program that declares the upload). */
  file: pulumi.Input<string>;
  /** An Entra access token for https://storage.azure.com/ (authorization.getClientToken). */
  token: pulumi.Input<string>;
}

/** x-ms-version of the Blob service REST API used (bearer tokens need 2017-11-09 or later). */
const BLOB_API_VERSION = "2021-08-06";

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    await put(inputs);
    return { id: inputs.url, outs: { url: inputs.url, sha256: inputs.sha256 } };
  },
  // The token changes on every run; only the target and the content matter.
  async diff(_id, olds, news) {
    const replaces = olds.url !== news.url ? ["url"] : [];
    return { changes: replaces.length > 0 || olds.sha256 !== news.sha256, replaces, deleteBeforeReplace: false };
  },
  async update(_id, _olds, news) {
    await put(news);
    return { outs: { url: news.url, sha256: news.sha256 } };
  },
  // Old packages stay until the storage account goes with the stack: harmless, and a rollback can use them.
  async delete() {},
};

async function put(inputs: { url: string; file: string; token: string; sha256: string }): Promise<void> {
  // A require() inside the function: it runs in the serialized dynamic provider.
  const { readFileSync } = require("fs") as typeof import("fs");
  const body = readFileSync(inputs.file);
  // A role assignment made in the same run takes up to a few minutes to apply: 403 is retried for 5 minutes.
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(inputs.url, {
      method: "PUT",
      headers: {
        Authorization: `Bearer ${inputs.token}`,
        "x-ms-version": BLOB_API_VERSION,
        "x-ms-blob-type": "BlockBlob",
        "x-ms-blob-content-type": "application/zip",
        "x-ms-meta-sha256": inputs.sha256,
      },
      body,
    });
    if (res.status === 201) return;
    if (res.status === 403 && attempt < 30) {
      await new Promise((r) => setTimeout(r, 10_000));
      continue;
    }
    throw new Error(`uploading the function package to ${inputs.url}: HTTP ${res.status} ${await res.text()}`);
  }
}

export class PackageUpload extends pulumi.dynamic.Resource {
  declare readonly url: pulumi.Output<string>;
  declare readonly sha256: pulumi.Output<string>;
  constructor(name: string, args: PackageUploadArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, token: pulumi.secret(args.token) }, opts);
  }
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
