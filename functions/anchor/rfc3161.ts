import { createHash, randomBytes, webcrypto } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type * as Asn1js from "asn1js" with { "resolution-mode": "import" };
import type * as Pkijs from "pkijs" with { "resolution-mode": "import" };
import { AnchorError, type Anchor, type AnchorReceipt, type AnchorVerdict } from "./anchor";

// pkijs and asn1js ship as ES modules only; node 20.19 loads them with require(esm), and
// the type-only imports above keep the types (this project compiles to CommonJS).
const asn1js = require("asn1js") as typeof Asn1js;
const pkijs = require("pkijs") as typeof Pkijs;

/**
 * RFC 3161 trusted timestamps with pkijs (ASN.1, CMS). The client sends the digest with
 * a fresh nonce and accepts a reply only if its token is signed by a certificate that
 * chains to a trusted one and carries the timeStamping EKU, and the token's message
 * imprint and nonce are the ones it sent.
 */
export const OID = {
  sha256: "2.16.840.1.101.3.4.2.1",
  signedData: "1.2.840.113549.1.7.2",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  extKeyUsage: "2.5.29.37",
  timeStamping: "1.3.6.1.5.5.7.3.8",
} as const;

/** One engine over node's WebCrypto, passed explicitly (no global pkijs state). */
export const cryptoEngine = new pkijs.CryptoEngine({
  name: "node",
  crypto: webcrypto as unknown as ConstructorParameters<typeof Pkijs.CryptoEngine>[0]["crypto"],
});

const toArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** A positive INTEGER's bytes without leading zeros, for comparing nonces. */
function intBytes(i: Asn1js.Integer): Buffer {
  const b = Buffer.from(i.valueBlock.valueHexView);
  let start = 0;
  while (start < b.length - 1 && b[start] === 0) start++;
  return b.subarray(start);
}

/** 8 random bytes, top bit clear so the INTEGER is positive without padding. */
export function newNonce(): Buffer {
  const n = randomBytes(8);
  n[0] = (n[0]! & 0x7f) | 0x01;
  return n;
}

export function buildTimeStampRequest(digest: Buffer, nonce: Buffer): Buffer {
  if (digest.length !== 32) throw new AnchorError(`digest: expected 32 bytes (SHA-256), got ${digest.length}`);
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  return Buffer.from(req.toSchema().toBER(false));
}

export function parseCertificates(pemOrDer: ReadonlyArray<string | Buffer>): Pkijs.Certificate[] {
  return pemOrDer.flatMap((x) => {
    const ders: Buffer[] =
      typeof x === "string"
        ? [...x.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
            Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"),
          )
        : [x];
    if (ders.length === 0) throw new AnchorError("trusted certificates: no PEM CERTIFICATE block found");
    return ders.map((der) => pkijs.Certificate.fromBER(toArrayBuffer(der)));
  });
}

export interface TokenCheck {
  /** What was timestamped; its SHA-256 is the message imprint. */
  message: Buffer;
  /** Required when checking a fresh reply; absent when re-verifying a stored token. */
  nonce?: Buffer;
  trusted: Pkijs.Certificate[];
}

/** Verifies a TimeStampToken (CMS ContentInfo, DER); returns the TSA's time or throws AnchorError naming the check that failed. */
export async function verifyTimeStampToken(
  token: Buffer,
  check: TokenCheck,
): Promise<{ genTime: Date; serial: string }> {
  const digest = createHash("sha256").update(check.message).digest();
  let contentInfo: Pkijs.ContentInfo;
  let signed: Pkijs.SignedData;
  let tst: Pkijs.TSTInfo;
  try {
    contentInfo = pkijs.ContentInfo.fromBER(toArrayBuffer(token));
    if (contentInfo.contentType !== OID.signedData)
      throw new AnchorError(`token: content type ${contentInfo.contentType} is not SignedData`);
    signed = new pkijs.SignedData({ schema: contentInfo.content });
    if (signed.encapContentInfo.eContentType !== OID.tstInfo)
      throw new AnchorError(`token: encapsulated content ${signed.encapContentInfo.eContentType} is not TSTInfo`);
    const eContent = signed.encapContentInfo.eContent;
    if (!eContent) throw new AnchorError("token: no TSTInfo inside");
    tst = pkijs.TSTInfo.fromBER(toArrayBuffer(Buffer.from(eContent.getValue())));
  } catch (err) {
    if (err instanceof AnchorError) throw err;
    throw new AnchorError(`token: not a parsable RFC 3161 token (${err instanceof Error ? err.message : String(err)})`);
  }
  const imprint = tst.messageImprint;
  if (imprint.hashAlgorithm.algorithmId !== OID.sha256)
    throw new AnchorError(`messageImprint: hash algorithm ${imprint.hashAlgorithm.algorithmId} is not SHA-256`);
  const stamped = Buffer.from(imprint.hashedMessage.valueBlock.valueHexView);
  if (!stamped.equals(digest))
    throw new AnchorError(`messageImprint: the token stamps ${stamped.toString("hex")}, not ${digest.toString("hex")}`);
  if (check.nonce) {
    if (!tst.nonce) throw new AnchorError("nonce: the token carries no nonce, one was sent");
    const got = intBytes(tst.nonce);
    if (!got.equals(intBytes(new asn1js.Integer({ valueHex: toArrayBuffer(check.nonce) }))))
      throw new AnchorError(
        `nonce: the token answers nonce ${got.toString("hex")}, not ${check.nonce.toString("hex")}`,
      );
  }
  if (check.trusted.length === 0) throw new AnchorError("trusted certificates: none given, so no token can be trusted");
  let result: Pkijs.SignedDataVerifyResult;
  try {
    // pkijs re-checks the imprint against `data` and the signed messageDigest against the TSTInfo.
    result = await signed.verify(
      {
        signer: 0,
        data: toArrayBuffer(check.message),
        trustedCerts: check.trusted,
        checkChain: true,
        checkDate: tst.genTime,
        extendedMode: true,
      },
      cryptoEngine,
    );
  } catch (err) {
    const e = err as { message?: string } | string;
    throw new AnchorError(
      `signature: the token's CMS signature does not verify (${typeof e === "string" ? e : (e.message ?? JSON.stringify(e))})`,
    );
  }
  if (!result.signatureVerified) throw new AnchorError("signature: the token's CMS signature does not verify");
  if (!result.signerCertificateVerified)
    throw new AnchorError("certificate: the TSA certificate does not chain to a trusted certificate");
  const eku = result.signerCertificate?.extensions?.find((e) => e.extnID === OID.extKeyUsage);
  const purposes = (eku?.parsedValue as Pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
  if (!eku || !eku.critical || purposes.length !== 1 || purposes[0] !== OID.timeStamping) {
    throw new AnchorError(
      "certificate: the signer lacks the critical extended key usage timeStamping (RFC 3161 section 2.3)",
    );
  }
  return { genTime: tst.genTime, serial: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString("hex") };
}

/** Checks a TimeStampResp for a request with `nonce`; returns the token to keep. */
export async function checkTimeStampResponse(
  response: Buffer,
  check: TokenCheck & { nonce: Buffer },
): Promise<{ token: Buffer; genTime: Date }> {
  let resp: Pkijs.TimeStampResp;
  try {
    resp = pkijs.TimeStampResp.fromBER(toArrayBuffer(response));
  } catch (err) {
    throw new AnchorError(`response: not a TimeStampResp (${err instanceof Error ? err.message : String(err)})`);
  }
  const status = resp.status.status;
  if (status !== 0 && status !== 1) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join("; ");
    throw new AnchorError(`response: status ${status} (not granted)${text ? `: ${text}` : ""}`);
  }
  if (!resp.timeStampToken) throw new AnchorError("response: granted but carries no token");
  const token = Buffer.from(resp.timeStampToken.toSchema().toBER(false));
  const { genTime } = await verifyTimeStampToken(token, check);
  return { token, genTime };
}

export type TsaTransport = (request: Buffer) => Promise<Buffer>;

/** POST application/timestamp-query over HTTP(S). */
export function httpTsaTransport(url: string, timeoutMs = 10_000): TsaTransport {
  return (body) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const req = (target.protocol === "https:" ? httpsRequest : httpRequest)(
        target,
        {
          method: "POST",
          headers: { "content-type": "application/timestamp-query", "content-length": body.length },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const type = res.headers["content-type"] ?? "";
            if (res.statusCode !== 200) return reject(new AnchorError(`TSA ${url}: answered HTTP ${res.statusCode}`));
            if (!type.startsWith("application/timestamp-reply"))
              return reject(
                new AnchorError(`TSA ${url}: content-type ${type || "none"}, expected application/timestamp-reply`),
              );
            resolve(Buffer.concat(chunks));
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new AnchorError(`TSA ${url}: timed out after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
}

export interface Rfc3161Options {
  /** The TSA's URL, or a transport (tests call a TSA in-process). */
  url?: string;
  transport?: TsaTransport;
  /** PEM text (or DER) of the certificates a TSA must chain to. */
  trusted: ReadonlyArray<string | Buffer>;
  timeoutMs?: number;
}

export class Rfc3161Anchor implements Anchor {
  readonly name: string;
  private readonly transport: TsaTransport;
  private readonly trusted: Pkijs.Certificate[];

  constructor(opts: Rfc3161Options) {
    if (!opts.url && !opts.transport) throw new AnchorError("rfc3161: give url or transport");
    this.name = `rfc3161:${opts.url ?? "in-process"}`;
    this.transport = opts.transport ?? httpTsaTransport(opts.url!, opts.timeoutMs);
    this.trusted = parseCertificates(opts.trusted);
  }

  async anchor(message: Buffer): Promise<AnchorReceipt> {
    const nonce = newNonce();
    const response = await this.transport(buildTimeStampRequest(createHash("sha256").update(message).digest(), nonce));
    const { token, genTime } = await checkTimeStampResponse(response, { message, nonce, trusted: this.trusted });
    return { receipt: token.toString("base64"), time: genTime };
  }

  verify(message: Buffer, receipt: string): Promise<AnchorVerdict> {
    return verifyReceipt(message, receipt, this.trusted);
  }
}

/** Verification only (auditors): checks stored receipts against trusted TSA certificates. */
export function rfc3161Verifier(trusted: ReadonlyArray<string | Buffer>): Pick<Anchor, "verify"> {
  const certs = parseCertificates(trusted);
  return { verify: (message, receipt) => verifyReceipt(message, receipt, certs) };
}

async function verifyReceipt(message: Buffer, receipt: string, trusted: Pkijs.Certificate[]): Promise<AnchorVerdict> {
  try {
    const { genTime } = await verifyTimeStampToken(Buffer.from(receipt, "base64"), { message, trusted });
    return { ok: true, time: genTime };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
