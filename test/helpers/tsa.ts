import { createHash, webcrypto } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type * as Asn1js from "asn1js" with { "resolution-mode": "import" };
import type * as Pkijs from "pkijs" with { "resolution-mode": "import" };
import { cryptoEngine, OID } from "../../functions/anchor/rfc3161";

// ES-module-only packages, loaded with require(esm) (see functions/anchor/rfc3161.ts).
const asn1js = require("asn1js") as typeof Asn1js;
const pkijs = require("pkijs") as typeof Pkijs;

const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const ECDSA = { name: "ECDSA", namedCurve: "P-256" } as const;

type KeyPair = { privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey };

async function makeCert(opts: {
  serial: number;
  subject: string;
  issuer: string;
  keys: KeyPair;
  signer: webcrypto.CryptoKey;
  ca: boolean;
}): Promise<Pkijs.Certificate> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: opts.serial });
  cert.subject.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({ type: "2.5.4.3", value: new asn1js.Utf8String({ value: opts.subject }) }),
  );
  cert.issuer.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({ type: "2.5.4.3", value: new asn1js.Utf8String({ value: opts.issuer }) }),
  );
  cert.notBefore.value = new Date(Date.now() - 24 * 3600_000);
  cert.notAfter.value = new Date(Date.now() + 365 * 24 * 3600_000);
  const basic = new pkijs.BasicConstraints({ cA: opts.ca });
  cert.extensions = [
    new pkijs.Extension({
      extnID: "2.5.29.19",
      critical: true,
      extnValue: basic.toSchema().toBER(false),
      parsedValue: basic,
    }),
  ];
  if (!opts.ca) {
    const eku = new pkijs.ExtKeyUsage({ keyPurposes: [OID.timeStamping] });
    cert.extensions.push(
      new pkijs.Extension({
        extnID: OID.extKeyUsage,
        critical: true,
        extnValue: eku.toSchema().toBER(false),
        parsedValue: eku,
      }),
    );
  }
  await cert.subjectPublicKeyInfo.importKey(opts.keys.publicKey as unknown as CryptoKeyLike, cryptoEngine);
  await cert.sign(opts.signer as unknown as CryptoKeyLike, "SHA-256", cryptoEngine);
  return cert;
}
type CryptoKeyLike = Parameters<Pkijs.Certificate["sign"]>[0];

const pem = (c: Pkijs.Certificate) =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(c.toSchema().toBER(false))
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE-----\n`;

export type TsaMode = "good" | "wrong-nonce" | "wrong-imprint" | "rejection";

/**
 * A timestamp authority the tests own: a self-signed CA, a TSA certificate it issued with
 * the critical timeStamping EKU, and TSTInfo tokens signed as CMS SignedData. `mode` makes
 * it misbehave on purpose.
 */
export class TestTsa {
  mode: TsaMode = "good";
  requests = 0;
  private serial = 1;
  private server: Server | undefined;

  private constructor(
    readonly caPem: string,
    private readonly tsaCert: Pkijs.Certificate,
    private readonly tsaKey: webcrypto.CryptoKey,
  ) {}

  /** `issuerName` differs for a second, untrusted authority. */
  static async create(issuerName = "tricloud test CA"): Promise<TestTsa> {
    const ca = (await webcrypto.subtle.generateKey(ECDSA, true, ["sign", "verify"])) as KeyPair;
    const tsa = (await webcrypto.subtle.generateKey(ECDSA, true, ["sign", "verify"])) as KeyPair;
    const caCert = await makeCert({
      serial: 1,
      subject: issuerName,
      issuer: issuerName,
      keys: ca,
      signer: ca.privateKey,
      ca: true,
    });
    const tsaCert = await makeCert({
      serial: 2,
      subject: "tricloud test TSA",
      issuer: issuerName,
      keys: tsa,
      signer: ca.privateKey,
      ca: false,
    });
    return new TestTsa(pem(caCert), tsaCert, tsa.privateKey);
  }

  /** Answers one DER TimeStampReq with a DER TimeStampResp. */
  async respond(requestDer: Buffer): Promise<Buffer> {
    this.requests++;
    const req = pkijs.TimeStampReq.fromBER(ab(requestDer));
    if (this.mode === "rejection") {
      return Buffer.from(
        new pkijs.TimeStampResp({
          status: new pkijs.PKIStatusInfo({
            status: 2,
            statusStrings: [new asn1js.Utf8String({ value: "badRequest" })],
          }),
        })
          .toSchema()
          .toBER(false),
      );
    }
    let imprint = req.messageImprint;
    if (this.mode === "wrong-imprint") {
      imprint = new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
        hashedMessage: new asn1js.OctetString({ valueHex: ab(createHash("sha256").update("something else").digest()) }),
      });
    }
    let nonce = req.nonce;
    if (this.mode === "wrong-nonce" && nonce) {
      const b = Buffer.from(nonce.valueBlock.valueHexView);
      b[b.length - 1] = b[b.length - 1]! ^ 0x01;
      nonce = new asn1js.Integer({ valueHex: ab(b) });
    }
    const tst = new pkijs.TSTInfo({
      version: 1,
      policy: "1.3.6.1.4.1.99999.1",
      messageImprint: imprint,
      serialNumber: new asn1js.Integer({ value: this.serial++ }),
      genTime: new Date(Math.floor(Date.now() / 1000) * 1000),
      ...(nonce ? { nonce } : {}),
    });
    const tstDer = tst.toSchema().toBER(false);
    const digest = await webcrypto.subtle.digest("SHA-256", tstDer);
    const signed = new pkijs.SignedData({
      version: 3,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({
        eContentType: OID.tstInfo,
        eContent: new asn1js.OctetString({ valueHex: tstDer }),
      }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: this.tsaCert.issuer,
            serialNumber: this.tsaCert.serialNumber,
          }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({
                type: "1.2.840.113549.1.9.3",
                values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })],
              }),
              new pkijs.Attribute({
                type: "1.2.840.113549.1.9.4",
                values: [new asn1js.OctetString({ valueHex: digest })],
              }),
            ],
          }),
        }),
      ],
      certificates: req.certReq ? [this.tsaCert] : [],
    });
    await signed.sign(this.tsaKey as unknown as CryptoKeyLike, 0, "SHA-256", undefined, cryptoEngine);
    const resp = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: 0 }),
      timeStampToken: new pkijs.ContentInfo({ contentType: OID.signedData, content: signed.toSchema(true) }),
    });
    return Buffer.from(resp.toSchema().toBER(false));
  }

  /** Serves RFC 3161 over HTTP on 127.0.0.1 (POST application/timestamp-query). */
  async serve(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method !== "POST" || req.headers["content-type"] !== "application/timestamp-query") {
          res.writeHead(415).end();
          return;
        }
        this.respond(Buffer.concat(chunks))
          .then((body) => res.writeHead(200, { "content-type": "application/timestamp-reply" }).end(body))
          .catch(() => res.writeHead(400).end());
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tsr`;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }
}
