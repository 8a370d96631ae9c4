import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Rfc3161Anchor,
  buildTimeStampRequest,
  checkTimeStampResponse,
  newNonce,
  parseCertificates,
} from "../../functions/anchor/rfc3161";
import { TestTsa } from "../helpers/tsa";

const message = Buffer.from("tricloud/ledger/aws\n3\nroot\n");
const digest = createHash("sha256").update(message).digest();

describe("RFC 3161 anchor against a TSA the test owns", () => {
  let tsa: TestTsa;
  let url: string;
  beforeAll(async () => {
    tsa = await TestTsa.create();
    url = await tsa.serve();
  });
  afterAll(() => tsa.close());

  it("round trip over HTTP: stamps the digest, and the stored receipt verifies later", async () => {
    tsa.mode = "good";
    const anchor = new Rfc3161Anchor({ url, trusted: [tsa.caPem] });
    const before = Date.now();
    const r = await anchor.anchor(message);
    expect(r.time.getTime()).toBeGreaterThan(before - 5_000);
    expect(await anchor.verify(message, r.receipt)).toEqual({ ok: true, time: r.time });
    // The receipt is for this digest only.
    const other = Buffer.from("another checkpoint\n");
    expect(await anchor.verify(other, r.receipt)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("messageImprint"),
    });
  });

  it("rejects a reply with the wrong nonce", async () => {
    tsa.mode = "wrong-nonce";
    await expect(new Rfc3161Anchor({ url, trusted: [tsa.caPem] }).anchor(message)).rejects.toThrow(
      /^nonce: the token answers nonce/,
    );
  });

  it("rejects a reply that stamps another message imprint", async () => {
    tsa.mode = "wrong-imprint";
    await expect(new Rfc3161Anchor({ url, trusted: [tsa.caPem] }).anchor(message)).rejects.toThrow(
      /^messageImprint: the token stamps/,
    );
  });

  it("rejects a refusal status", async () => {
    tsa.mode = "rejection";
    await expect(new Rfc3161Anchor({ url, trusted: [tsa.caPem] }).anchor(message)).rejects.toThrow(
      /status 2 \(not granted\): badRequest/,
    );
  });

  it("rejects a token from a TSA that does not chain to the trusted CA", async () => {
    const stranger = await TestTsa.create("some other CA");
    const nonce = newNonce();
    const response = await stranger.respond(buildTimeStampRequest(digest, nonce));
    await expect(
      checkTimeStampResponse(response, { message, nonce, trusted: parseCertificates([tsa.caPem]) }),
    ).rejects.toThrow(/certificate|signature/);
    // ... while the same reply is fine for whoever trusts that CA.
    await expect(
      checkTimeStampResponse(response, { message, nonce, trusted: parseCertificates([stranger.caPem]) }),
    ).resolves.toMatchObject({ genTime: expect.any(Date) });
  });

  it("a tampered token does not verify", async () => {
    tsa.mode = "good";
    const anchor = new Rfc3161Anchor({ transport: (req) => tsa.respond(req), trusted: [tsa.caPem] });
    const { receipt } = await anchor.anchor(message);
    const bytes = Buffer.from(receipt, "base64");
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    expect((await anchor.verify(message, bytes.toString("base64"))).ok).toBe(false);
  });
});
