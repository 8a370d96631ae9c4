import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UPLOAD_SCRIPT } from "../../components/azure/package-upload";

type AzureOidc = typeof import("../../scripts/azure-oidc.mjs", { with: { "resolution-mode": "import" } });

const GITHUB = {
  ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.example/x?api-version=2",
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token",
  ARM_CLIENT_ID: "client-id",
  ARM_TENANT_ID: "tenant-id",
  ARM_SUBSCRIPTION_ID: "subscription-id",
};

describe("signing az in again from GitHub's OIDC token (az's own sign-in expires within minutes)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tricloud-az-oidc-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, "calls.log");
  // Stand-ins for curl and az that record their arguments; curl answers as GitHub's token endpoint does.
  writeFileSync(
    join(dir, "curl"),
    `#!/bin/sh\necho "curl $*" >> "${log}"\necho '{"count":1,"value":"fresh-github-token"}'\n`,
  );
  writeFileSync(join(dir, "az"), `#!/bin/sh\necho "az $*" >> "${log}"\nexit 0\n`);
  chmodSync(join(dir, "curl"), 0o755);
  chmodSync(join(dir, "az"), 0o755);
  const upload = (extra: Record<string, string>) => {
    writeFileSync(log, "");
    const r = spawnSync("/bin/sh", ["-c", UPLOAD_SCRIPT], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        ACCOUNT: "tcfnprod1",
        CONTAINER: "deployments",
        BLOB: "releases/abc.zip",
        FILE: "/tmp/abc.zip",
        SHA256: "abc",
        ...extra,
      },
    });
    return { status: r.status, calls: readFileSync(log, "utf8").trim().split("\n") };
  };

  it("the package upload signs in with a fresh token for Azure's audience before it uploads, in a GitHub job", () => {
    const { status, calls } = upload(GITHUB);
    expect(status).toBe(0);
    expect(calls[0]).toBe(
      `curl -sSf -H Authorization: bearer request-token ${GITHUB.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`,
    );
    expect(calls[1]).toBe(
      "az login --service-principal --username client-id --tenant tenant-id --federated-token fresh-github-token --only-show-errors --output none",
    );
    expect(calls[2]).toBe("az account set --subscription subscription-id");
    expect(calls[3]).toMatch(/^az storage blob upload --auth-mode login --account-name tcfnprod1 /);
  });

  it("and leaves az's own sign-in alone elsewhere (`az login` on a laptop)", () => {
    const { status, calls } = upload({});
    expect(status).toBe(0);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^az storage blob upload /);
  });

  it("the publish scripts renew it at most every few minutes, with the same commands, and only in a GitHub job", async () => {
    const { renewAzureSignIn, renewCommands } = (await import("../../scripts/azure-oidc.mjs")) as AzureOidc;
    const calls: string[][] = [];
    const exec = (argv: string[]) => {
      calls.push(argv);
      return { status: 0, stdout: argv[0] === "curl" ? '{"value":"t1"}' : "", stderr: "" };
    };
    expect(renewAzureSignIn({ env: {}, exec, now: 1 })).toBe(false);
    expect(calls).toEqual([]);
    expect(renewAzureSignIn({ env: GITHUB, exec, now: 10_000_000 })).toBe(true);
    expect(calls.map((c) => c.slice(0, 2).join(" "))).toEqual(["curl -sSf", "az login", "az account"]);
    expect(calls[1]).toEqual(renewCommands(GITHUB).login("t1"));
    // A minute later: still fresh; five minutes later: renewed.
    expect(renewAzureSignIn({ env: GITHUB, exec, now: 10_060_000 })).toBe(false);
    expect(renewAzureSignIn({ env: GITHUB, exec, now: 10_300_000 })).toBe(true);
    expect(calls).toHaveLength(6);
  });
});
