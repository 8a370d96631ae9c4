import { describe, expect, it } from "vitest";
import { input, ofType, planStack } from "../helpers/plan";

/**
 * Names Azure requires to be unique in all of Azure (storage accounts: "No two storage accounts can have the same
 * name", learn.microsoft.com/azure/storage/common/storage-account-overview#storage-account-name; function apps: their
 * <name>.azurewebsites.net host) must differ between two organisations deploying this program, which differ in
 * tricloud:domain. A name derived only from the environment and location would be taken by the first of them.
 */
describe("globally unique Azure names", () => {
  const names = async (overrides: readonly string[]) => {
    const r = await planStack("dev", overrides);
    return [
      ...ofType(r, "azure-native:storage:StorageAccount").map((x) => String(input(x, "accountName"))),
      ...ofType(r, "azure-native:web:WebApp").map((x) => String(input(x, "name"))),
    ];
  };

  it("every storage account and function app is named after the domain: another domain gets other names", async () => {
    const ours = await names([]);
    const theirs = await names(["tricloud:domain=another-org.example"]);
    expect(ours.length).toBeGreaterThanOrEqual(3);
    expect(theirs).toHaveLength(ours.length);
    for (const name of ours) expect(theirs, name).not.toContain(name);
    for (const name of ours.slice(0, -1)) expect(name).toMatch(/^[a-z0-9]{3,24}$/);
  });
});
