import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { sourceAddress } from "../../functions/http/errors";

/** What a refused peer message is recorded with as its source, on a host that sees only X-Forwarded-For. */
describe("sourceAddress behind a serverless front end", () => {
  const app = new Hono().get("/", (c) => c.json({ source: sourceAddress(c) }));
  const sourceOf = async (forwarded?: string) =>
    (
      (await (
        await app.fetch(new Request("http://h/", { headers: forwarded ? { "x-forwarded-for": forwarded } : {} }))
      ).json()) as {
        source: string | null;
      }
    ).source;

  it("keeps the whole chain: the client writes its first entries, the platform appends the ones to trust", async () => {
    expect(await sourceOf("198.51.100.7, 203.0.113.9")).toBe("198.51.100.7, 203.0.113.9");
    expect(await sourceOf("203.0.113.9")).toBe("203.0.113.9");
    expect(await sourceOf()).toBeNull();
  });

  it("keeps the end of a long chain, where the platform's entries are", async () => {
    const forged = Array.from({ length: 40 }, (_, i) => `10.0.0.${i}`).join(",");
    const source = await sourceOf(`${forged},203.0.113.9`);
    expect(source!.startsWith("…")).toBe(true);
    expect(source!.endsWith("203.0.113.9")).toBe(true);
    expect(source!.length).toBe(128);
  });
});
