import { afterEach, describe, expect, it, vi } from "vitest";
import { chaosMain } from "../../chaos/cli";

// Usage errors of `npm run chaos` name the flag and exit 2 before anything starts.

describe("chaos cli", () => {
  afterEach(() => vi.restoreAllMocks());

  const stderr = () => vi.spyOn(process.stderr, "write").mockImplementation(() => true);

  it.each([
    [["--seed", "x"], /--seed: expected an integer/],
    [["--seed", "1", "--seeds", "1-3"], /give one of them/],
    [["--seeds", "5-2"], /--seeds: expected A-B/],
    [["--seeds", "1-500"], /at most 100 seeds/],
    [["--duration", "0"], /--duration: expected an integer from 1 to 3600/],
    [["--store", "mysql"], /--store: expected pg or pglite/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("%j exits 2", async (argv, message) => {
    const err = stderr();
    expect(await chaosMain(argv)).toBe(2);
    expect(err.mock.calls.map((c) => String(c[0])).join("")).toMatch(message);
  });

  it("--help prints the usage and exits 0", async () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    expect(await chaosMain(["--help"])).toBe(0);
    expect(String(out.mock.calls[0]?.[0])).toMatch(/--seeds A-B/);
  });
});
