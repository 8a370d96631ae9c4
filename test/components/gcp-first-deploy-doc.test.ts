import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GCP_BUILD_PROJECT_ROLES } from "../../components/gcp/function-host";
import { GCP_APIS } from "../../components/gcp/services";

const guide = readFileSync(join(__dirname, "..", "..", "docs", "first-deploy-gcp-edge.md"), "utf8");

/** One bullet of "What the stack does on its own", from its bold lead-in to the next bullet, on one line. */
function bullet(lead: string): string {
  const start = guide.indexOf(`- **${lead}**`);
  expect(start, `the bullet "${lead}"`).toBeGreaterThanOrEqual(0);
  const end = guide.indexOf("\n- ", start + 1);
  return guide.slice(start, end < 0 ? undefined : end).replace(/\s+/g, " ");
}

describe("docs/first-deploy-gcp-edge.md says what the GCP components do", () => {
  it("lists exactly the APIs components/gcp/services.ts enables, in its order", () => {
    const list = /\(`components\/gcp\/services\.ts`: ([a-z, ]+)\)/.exec(bullet("Enables every service API"));
    expect(list, "the API list after `components/gcp/services.ts`:").not.toBeNull();
    expect(list![1]!.split(", ")).toEqual(GCP_APIS.map((api) => api.replace(/\.googleapis\.com$/, "")));
  });

  it("names every project role the function build account gets", () => {
    const text = bullet("Function builds");
    for (const role of GCP_BUILD_PROJECT_ROLES) expect(text).toContain(`\`${role}\``);
    expect(text).toContain("on the project");
    expect(text).not.toMatch(/read access to the source bucket/);
  });
});
