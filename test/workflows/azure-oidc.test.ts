import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEPLOY_ATTEMPTS, DEPLOY_SCRIPT } from "../../components/azure/package-deploy";

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
  const refusals = join(dir, "refusals");
  const fatal = join(dir, "fatal");
  const hang = join(dir, "hang");
  // Stand-ins for curl, az and sleep that record their arguments; curl answers as GitHub's token endpoint does, the
  // deploy refuses as often as the file `refusals` says (as Flex does while the app's storage grant is not applied
  // yet), and sleep returns at once.
  writeFileSync(
    join(dir, "curl"),
    `#!/bin/sh\necho "curl $*" >> "${log}"\necho '{"count":1,"value":"fresh-github-token"}'\n`,
  );
  writeFileSync(
    join(dir, "az"),
    [
      "#!/bin/sh",
      `echo "az $*" >> "${log}"`,
      `[ "$1 $2 $3 $4" = "functionapp deployment source config-zip" ] || exit 0`,
      `if [ -s "${fatal}" ]; then echo "ERROR: (ResourceNotFound) The Resource was not found." >&2; exit 3; fi`,
      `n=$(cat "${refusals}")`,
      `[ "$n" -gt 0 ] || exit 0`,
      `echo $((n - 1)) > "${refusals}"`,
      'echo "ERROR: An error occured during deployment. Status Code: 400, Details: BlobUploadFailedException" >&2',
      "exit 1",
    ].join("\n") + "\n",
  );
  writeFileSync(join(dir, "sleep"), `#!/bin/sh\necho "sleep $*" >> "${log}"\n`);
  // coreutils' timeout as the script calls it (`timeout 900 az ...`): it runs the command, or, with the file `hang`,
  // stands for a command killed at the limit (exit 124).
  writeFileSync(
    join(dir, "timeout"),
    `#!/bin/sh\necho "timeout $1" >> "${log}"\nshift\nif [ -s "${hang}" ]; then exit 124; fi\nexec "$@"\n`,
  );
  for (const tool of ["curl", "az", "sleep", "timeout"]) chmodSync(join(dir, tool), 0o755);
  const deploy = (extra: Record<string, string>, refused = 0, failure: "fatal" | "hang" | "" = "") => {
    writeFileSync(log, "");
    writeFileSync(refusals, String(refused));
    writeFileSync(fatal, failure === "fatal" ? "1" : "");
    writeFileSync(hang, failure === "hang" ? "1" : "");
    const r = spawnSync("/bin/sh", ["-c", DEPLOY_SCRIPT], {
      encoding: "utf8",
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        RESOURCE_GROUP: "tricloud-prod-rg",
        APP: "tricloud-prod-fn-abc",
        FILE: "/tmp/azure-functions-abc.zip",
        ...extra,
      },
    });
    const lines = readFileSync(log, "utf8").trim().split("\n");
    // Every deploy runs under the 15-minute bound; the other expectations read the calls without it.
    const bounded = lines.filter((l) => l === "timeout 900").length;
    return { status: r.status, stderr: r.stderr, bounded, calls: lines.filter((l) => l !== "timeout 900") };
  };
  const CONFIG_ZIP =
    "az functionapp deployment source config-zip --resource-group tricloud-prod-rg --name tricloud-prod-fn-abc" +
    " --src /tmp/azure-functions-abc.zip --build-remote false --timeout 600 --only-show-errors --output none";
  const SIGN_IN = [
    `curl -sSf -H Authorization: bearer request-token ${GITHUB.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=api://AzureADTokenExchange`,
    "az login --service-principal --username client-id --tenant tenant-id --federated-token fresh-github-token --only-show-errors --output none",
    "az account set --subscription subscription-id",
  ];

  it("the package deploy signs in with a fresh token for Azure's audience before it deploys, in a GitHub job", () => {
    const { status, calls } = deploy(GITHUB);
    expect(status).toBe(0);
    expect(calls).toEqual([...SIGN_IN, CONFIG_ZIP]);
  });

  it("and leaves az's own sign-in alone elsewhere (`az login` on a laptop)", () => {
    const { status, calls } = deploy({});
    expect(status).toBe(0);
    expect(calls).toEqual([CONFIG_ZIP]);
  });

  it("retries a refused deploy 10 s later, signing in again before each attempt", () => {
    const { status, stderr, calls } = deploy(GITHUB, 2);
    expect(status).toBe(0);
    expect(calls).toEqual([
      ...SIGN_IN,
      CONFIG_ZIP,
      "sleep 10",
      ...SIGN_IN,
      CONFIG_ZIP,
      "sleep 10",
      ...SIGN_IN,
      CONFIG_ZIP,
    ]);
    expect(stderr).toContain(
      `deploy of /tmp/azure-functions-abc.zip to tricloud-prod-fn-abc refused (attempt 2 of ${DEPLOY_ATTEMPTS}); retrying in 10 s`,
    );
  });

  it("runs every deploy under a 15-minute bound, and does not post the package again when az hit it", () => {
    const ok = deploy({});
    expect(ok.bounded).toBe(1);
    const { status, stderr, calls } = deploy({}, 0, "hang");
    expect(status).toBe(1);
    expect(calls).toEqual([]);
    expect(stderr).toContain("az did not finish within 15 minutes");
  });

  it("stops at once on a failure that is not the refusal a fresh role assignment gives", () => {
    const { status, stderr, calls } = deploy({}, 0, "fatal");
    expect(status).toBe(1);
    expect(calls).toEqual([CONFIG_ZIP]);
    expect(stderr).toContain("ResourceNotFound");
    expect(stderr).toContain(
      "failed (exit 3), not with the refusal a role assignment still applying gives; not retried",
    );
  });

  it("says so when az is not installed", () => {
    const empty = mkdtempSync(join(tmpdir(), "tricloud-no-az-"));
    try {
      const r = spawnSync("/bin/sh", ["-c", DEPLOY_SCRIPT], {
        encoding: "utf8",
        env: { PATH: `${empty}:/usr/bin:/bin`, RESOURCE_GROUP: "rg", APP: "app", FILE: "/tmp/p.zip" },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("az (the Azure CLI, 2.60 or later) is not on PATH");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it(`gives up after ${DEPLOY_ATTEMPTS} refusals (5 minutes), with the last error printed`, () => {
    const { status, stderr, calls } = deploy({}, DEPLOY_ATTEMPTS + 1);
    expect(status).toBe(1);
    expect(calls.filter((c) => c === CONFIG_ZIP)).toHaveLength(DEPLOY_ATTEMPTS);
    expect(calls.filter((c) => c === "sleep 10")).toHaveLength(DEPLOY_ATTEMPTS);
    expect(DEPLOY_ATTEMPTS * 10).toBe(300);
    expect(stderr).toMatch(/BlobUploadFailedException[^]*attempt 30 of 30/);
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
