#!/usr/bin/env node
// Publishes each cluster's rendered manifests to where its cloud's GitOps agent pulls them, after `pulumi up`:
//
//   pulumi stack output --json --stack dev > outputs.json
//   node scripts/publish-manifests.mjs --outputs outputs.json [--dry-run]
//
// It reads only the stack outputs the program exports (stacks/platform.ts): `workloads.<cloud>.manifests`,
// `schedule.downscaler.<cloud>` when the stack has an off-hours schedule, and `gitops.<cloud>` (where each agent
// reads). Per cloud (docs/workloads.md):
//   AKS (Flux, AzureBlob source): the YAML files into the blob container, signed in with `--auth-mode login`.
//   GKE (Config Sync, OCI source): one tar+gzip layer pushed with oras to `<syncRepo>:<content tag>`, then tagged
//     as the reference Config Sync reads (`latest` when syncRepo names no tag).
//   EKS (Argo CD capability, OCI source in ECR): the same layer as `<ECR repository>:<content tag>`, and the
//     bootstrap Application (rendered here, pointing at that tag) created or updated through the capability's
//     Argo CD API, when the stack has the capability and ARGOCD_AUTH_TOKEN is set.
// With a schedule it first copies the downscaler's image from its upstream into each registry (skipped when the
// tag is there already: ECR and Artifact Registry keep tags immutable).
//
// Tools it runs: az, aws, gcloud, oras, tar, curl (only for the Application). Written by hand: it only strings
// together the clouds' own CLIs, which no library wraps.
import { spawnSync } from "node:child_process";
import { renewAzureSignIn } from "./azure-oidc.mjs";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";

/** Argo CD's default OCI layer type (argo-cd docs/user-guide/oci.md, read 2026-11-30); Config Sync reads it too. */
export const LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
/** The capability's name in components/aws/gitops.ts. */
export const ARGOCD_CAPABILITY = "argocd";
export const APPLICATION_NAME = "tricloud-workloads";

/** Thrown for outputs that do not have the form this script needs; the message names the output. */
export class PublishError extends Error {}

function need(value, key) {
  if (typeof value !== "string" || value === "")
    throw new PublishError(
      `stack output ${key}: expected a non-empty string (run after pulumi up), got ${JSON.stringify(value)}`,
    );
  // What `pulumi stack output --json` prints for a secret output without --show-secrets: never a manifest.
  if (value === "[secret]")
    throw new PublishError(
      `stack output ${key}: expected its value, got "[secret]" (the output is secret; read it with --show-secrets, or make it non-secret)`,
    );
  return value;
}

/** The files each cluster's agent reads: the services' manifests and, with a schedule, the downscaler's. */
export function clusterFiles(outputs, cloud) {
  const files = { "workloads.yaml": need(outputs?.workloads?.[cloud]?.manifests, `workloads.${cloud}.manifests`) };
  const d = outputs?.schedule?.downscaler?.[cloud];
  if (outputs?.schedule) files["downscaler.yaml"] = need(d?.manifests, `schedule.downscaler.${cloud}.manifests`);
  return files;
}

/**
 * AKS's Flux kustomizations, in the order Flux applies them (each `dependsOn` the one before it, `wait: true` but the
 * last: components/azure/gitops.ts), and what each holds, the first that `holds` a rendered object taking it:
 * - `external-secrets`: the namespaces, the chart sources and the External Secrets operator;
 * - `ca`: its ClusterSecretStore and the `cacerts` ExternalSecret, Ready only once the Secret is written (Flux's
 *   health check reads their Ready condition: kstatus, https://fluxcd.io/flux/components/kustomize/kustomizations/#health-checks);
 * - `infra`: the other charts, istiod among them, which reads `cacerts` once, at start (components/workloads/mesh.ts);
 * - `workloads`: everything else, whose CRDs and webhooks the charts above bring.
 * Flux validates a kustomization's objects with a server-side dry run before applying any, so an object whose CRD a
 * chart of the same kustomization installs would fail it and nothing would ever be applied
 * (fluxcd/kustomize-controller#1194). Objects only ever move to a kustomization applied before the one they leave,
 * which keeps a move safe: a kustomization prunes only objects still labelled as its own (kustomize-controller
 * deleteObjects: Inclusions, the owner labels), and the earlier one has relabelled them by then. That is why the
 * charts' kustomization kept its name `infra`.
 */
export const FLUX_KUSTOMIZATIONS = [
  {
    name: "external-secrets",
    holds: (o) =>
      ["Namespace", "HelmRepository", "OCIRepository"].includes(o.kind) ||
      (o.kind === "HelmRelease" && o.name === "external-secrets"),
  },
  {
    name: "ca",
    holds: (o) =>
      o.kind === "ClusterSecretStore" ||
      (o.kind === "ExternalSecret" && o.namespace === "istio-system" && o.name === "cacerts"),
  },
  { name: "infra", holds: (o) => o.kind === "HelmRelease" },
  { name: "workloads", holds: () => true },
];

/** The kustomization a rendered object goes to (its kind, name and namespace, as FLUX_KUSTOMIZATIONS reads them). */
export function fluxKustomization(o) {
  return FLUX_KUSTOMIZATIONS.find((k) => k.holds(o)).name;
}

/**
 * AKS's files, one folder per Flux kustomization (`<name>/<name>.yaml`, FLUX_KUSTOMIZATIONS), the downscaler in
 * `workloads/`. The multi-document YAML is split at its document separators (the renderer writes `---` only between
 * documents: a block scalar's lines are indented), and each document is written as rendered.
 */
export function fluxFiles(outputs) {
  const azure = clusterFiles(outputs, "azure");
  const docs = azure["workloads.yaml"].split(/^---\n/m);
  const byName = Object.fromEntries(FLUX_KUSTOMIZATIONS.map((k) => [k.name, []]));
  for (const doc of docs) {
    const o = parse(doc) ?? {};
    byName[fluxKustomization({ kind: o.kind, name: o.metadata?.name, namespace: o.metadata?.namespace })].push(doc);
  }
  const files = Object.fromEntries(
    FLUX_KUSTOMIZATIONS.map(({ name }) => [`${name}/${name}.yaml`, byName[name].join("---\n")]),
  );
  if (azure["downscaler.yaml"] !== undefined) files["workloads/downscaler.yaml"] = azure["downscaler.yaml"];
  return files;
}

/** An immutable tag derived from the files' content: a rerun of the same release pushes the same tag. */
export function contentTag(files) {
  const h = createHash("sha256");
  for (const name of Object.keys(files).sort()) h.update(name).update("\0").update(files[name]).update("\0");
  return `manifests-${h.digest("hex").slice(0, 16)}`;
}

const hostOf = (ref) => ref.split("/")[0];
/** A reference's repository and tag ("host/path:tag"): the tag is after the last colon past the last slash. */
export function splitReference(ref) {
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash
    ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) }
    : { repository: ref, tag: undefined };
}

/**
 * The bootstrap Application for the EKS Argo CD capability: its source is the ECR artifact at the content tag, its
 * destination the cluster by ARN (the capability identifies clusters by ARN and does not support
 * kubernetes.default.svc: docs.aws.amazon.com/eks/latest/userguide/argocd-register-clusters.html, read 2026-11-30).
 * Replicas are left to the HPAs and the downscaler, and what Argo Rollouts edits during a canary to it: the route
 * weights of the VirtualServices and the `rollouts-pod-template-hash` it adds to the stable and canary Services'
 * selectors (ignoreDifferences with RespectIgnoreDifferences and ApplyOutOfSyncOnly, as Argo Rollouts' Istio guide
 * advises: argo-rollouts docs/features/traffic-management/istio.md, "Integrating with GitOps"). A changed timeout or
 * retry policy still reaches the route: it arrives as a new VirtualService (components/workloads/mesh.ts).
 */
export function argoApplication({ repositoryUrl, tag, clusterArn }) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: APPLICATION_NAME, namespace: "argocd" },
    spec: {
      project: "default",
      source: { repoURL: `oci://${repositoryUrl}`, targetRevision: tag, path: "." },
      destination: { server: clusterArn },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        // SkipDryRunOnMissingResource: the objects whose CRDs the chart Applications of this same sync install
        // (Rollouts, ExternalSecrets, VirtualServices, ...) would otherwise fail the whole sync's dry run, so that
        // nothing, the charts included, ever gets applied (Argo CD, "Sync Options"). It skips the dry run only: the
        // apply still fails while the CRD is missing, and a failed object stops the sync at its wave, so each such
        // object is in a wave after its chart's Application (components/workloads/order.ts). Argo CD counts an
        // Application as done once it exists, not once its chart is installed (it assesses no Application's
        // health), so a wave may still start too early and fail: the retry runs it again once the chart is there.
        syncOptions: ["RespectIgnoreDifferences=true", "ApplyOutOfSyncOnly=true", "SkipDryRunOnMissingResource=true"],
        retry: { limit: 10, backoff: { duration: "30s", factor: 2, maxDuration: "10m" } },
      },
      ignoreDifferences: [
        { group: "apps", kind: "Deployment", jsonPointers: ["/spec/replicas"] },
        { group: "networking.istio.io", kind: "VirtualService", jqPathExpressions: [".spec.http[].route[].weight"] },
        { group: "", kind: "Service", jsonPointers: ["/spec/selector/rollouts-pod-template-hash"] },
      ],
    },
  };
}

/**
 * Every step of a publish, as data: files to write and commands (argv, optional stdin from another command) to run.
 * Pure, so the test runs it on a real plan's outputs; `run` executes it.
 */
export function publishPlan(outputs, workDir) {
  const steps = [];
  const g = outputs?.gitops;
  if (!g) throw new PublishError("stack output gitops: missing (the program exports it from stacks/platform.ts)");
  const write = (path, text) => steps.push({ write: path, text });
  const cmd = (argv, opts = {}) => steps.push({ argv, ...opts });

  // Registry sign-in for oras, each with its cloud's documented token exchange.
  const awsRepo = need(g.aws?.repositoryUrl, "gitops.aws.repositoryUrl");
  const awsRegion = need(awsRepo.split(".")[3], "gitops.aws.repositoryUrl (region)");
  const ecrHost = hostOf(awsRepo);
  cmd(["oras", "login", "--username", "AWS", "--password-stdin", ecrHost], {
    stdinFrom: ["aws", "ecr", "get-login-password", "--region", awsRegion],
  });
  const syncRepo = need(g.gcp?.syncRepo, "gitops.gcp.syncRepo");
  const arHost = hostOf(syncRepo);
  cmd(["oras", "login", "--username", "oauth2accesstoken", "--password-stdin", arHost], {
    stdinFrom: ["gcloud", "auth", "print-access-token"],
  });

  const schedule = outputs.schedule;
  if (schedule) {
    const upstream = need(schedule.downscalerUpstream, "schedule.downscalerUpstream");
    const acrHost = hostOf(need(schedule.downscaler?.azure?.image, "schedule.downscaler.azure.image"));
    // ACR: an AAD token for the registry (az acr login --expose-token), user 00000000-0000-0000-0000-000000000000.
    cmd(["oras", "login", "--username", "00000000-0000-0000-0000-000000000000", "--password-stdin", acrHost], {
      stdinFrom: [
        "az",
        "acr",
        "login",
        "--name",
        acrHost.split(".")[0],
        "--expose-token",
        "--output",
        "tsv",
        "--query",
        "accessToken",
      ],
    });
    for (const cloud of ["aws", "azure", "gcp"]) {
      const dest = need(schedule.downscaler?.[cloud]?.image, `schedule.downscaler.${cloud}.image`);
      cmd(["oras", "cp", upstream, dest], { unless: ["oras", "manifest", "fetch", "--descriptor", dest] });
    }
  }

  // AKS: the container Flux reads; a file no longer published is deleted after the upload, never before.
  const azureFiles = fluxFiles(outputs);
  const azureDir = join(workDir, "azure");
  for (const [name, text] of Object.entries(azureFiles)) write(join(azureDir, name), text);
  const account = need(g.azure?.storageAccountName, "gitops.azure.storageAccountName");
  const container = need(g.azure?.containerName, "gitops.azure.containerName");
  cmd([
    "az",
    "storage",
    "blob",
    "upload-batch",
    "--auth-mode",
    "login",
    "--account-name",
    account,
    "--destination",
    container,
    "--source",
    azureDir,
    "--overwrite",
    "true",
  ]);
  if (!azureFiles["workloads/downscaler.yaml"])
    cmd([
      "az",
      "storage",
      "blob",
      "delete-batch",
      "--auth-mode",
      "login",
      "--account-name",
      account,
      "--source",
      container,
      "--pattern",
      "workloads/downscaler.yaml",
    ]);

  // GKE and EKS: one tar+gzip layer each.
  const oci = (cloud, repository) => {
    const files = clusterFiles(outputs, cloud);
    const dir = join(workDir, cloud);
    for (const [name, text] of Object.entries(files)) write(join(dir, name), text);
    const tag = contentTag(files);
    // oras refuses absolute file paths (it records the name in the layer), so it runs in workDir on a relative one.
    const archive = `${cloud}.tar.gz`;
    cmd(["tar", "-czf", join(workDir, archive), "-C", dir, "."]);
    const ref = `${repository}:${tag}`;
    cmd(["oras", "push", ref, `${archive}:${LAYER_MEDIA_TYPE}`], {
      cwd: workDir,
      unless: ["oras", "manifest", "fetch", "--descriptor", ref],
    });
    return tag;
  };
  const gcp = splitReference(syncRepo);
  const gcpTag = oci("gcp", gcp.repository);
  // Config Sync reads syncRepo's own tag, "latest" when it names none. syncRepo is in the manifests repository,
  // whose tags may move (components/gcp/gitops.ts); a repository with immutable tags would refuse this.
  cmd(["oras", "tag", `${gcp.repository}:${gcpTag}`, gcp.tag ?? "latest"], {
    hint: `${gcp.tag ?? "latest"} could not move to new content: syncRepo must be in a repository whose tags may move (tricloud-manifests, docs/ci-oidc.md)`,
  });

  const awsTag = oci("aws", awsRepo);
  if (g.aws?.argoCd === true) {
    const cluster = need(g.aws?.clusterName, "gitops.aws.clusterName");
    steps.push({
      argoApplication: { repositoryUrl: awsRepo, tag: awsTag, path: join(workDir, "application.yaml") },
      clusterArnFrom: [
        "aws",
        "eks",
        "describe-cluster",
        "--name",
        cluster,
        "--region",
        awsRegion,
        "--query",
        "cluster.arn",
        "--output",
        "text",
      ],
      // Argo CD's API: ApplicationService.Create, POST /api/v1/applications with upsert=true (its swagger), the
      // capability's serverUrl as the host (docs.aws.amazon.com/eks/latest/userguide/argocd-cli-configuration.html).
      curlArgv: (server, headerFile, bodyFile) => [
        "curl",
        "--fail-with-body",
        "--silent",
        "--show-error",
        "--request",
        "POST",
        "--header",
        `@${headerFile}`,
        "--header",
        "content-type: application/json",
        "--data-binary",
        `@${bodyFile}`,
        `${server.startsWith("https://") ? server : `https://${server}`}/api/v1/applications?upsert=true`,
      ],
      serverFrom: [
        "aws",
        "eks",
        "describe-capability",
        "--cluster-name",
        cluster,
        "--capability-name",
        ARGOCD_CAPABILITY,
        "--region",
        awsRegion,
        "--query",
        "capability.configuration.argoCd.serverUrl",
        "--output",
        "text",
      ],
    });
  }
  return steps;
}

function sh(argv, opts = {}) {
  // After a long pulumi up, az's sign-in from azure/login has expired (scripts/azure-oidc.mjs).
  if (argv[0] === "az") renewAzureSignIn();
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: "utf8",
    stdio: opts.capture ? "pipe" : ["pipe", "inherit", "inherit"],
    input: opts.input,
    cwd: opts.cwd,
  });
  if (r.error) throw new PublishError(`${argv[0]}: ${r.error.message}`);
  return r;
}

function must(argv, opts = {}) {
  const r = sh(argv, opts);
  if (r.status !== 0)
    throw new PublishError(
      `${argv.slice(0, 4).join(" ")} … exited ${r.status}${r.stderr ? `: ${r.stderr.trim()}` : ""}`,
    );
  return r;
}

/** Runs the plan's steps in order; stops at the first failure. */
export function run(steps, { dryRun = false, log = console.log } = {}) {
  for (const s of steps) {
    if (s.write) {
      log(`write ${s.write}`);
      if (!dryRun) {
        mkdirSync(join(s.write, ".."), { recursive: true });
        writeFileSync(s.write, s.text);
      }
    } else if (s.argv) {
      log(
        `${s.stdinFrom ? `${s.stdinFrom.join(" ")} | ` : ""}${s.argv.join(" ")}${s.unless ? `  (unless: ${s.unless.join(" ")})` : ""}`,
      );
      if (dryRun) continue;
      if (s.unless && sh(s.unless, { capture: true }).status === 0) {
        log("  already there, skipped");
        continue;
      }
      const input = s.stdinFrom ? must(s.stdinFrom, { capture: true }).stdout.trim() : undefined;
      try {
        must(s.argv, { input, cwd: s.cwd });
      } catch (err) {
        if (err instanceof PublishError && s.hint) throw new PublishError(`${err.message}\n  ${s.hint}`);
        throw err;
      }
    } else if (s.argoApplication) {
      log(`POST /api/v1/applications?upsert=true (${APPLICATION_NAME} at ${s.argoApplication.tag})`);
      if (dryRun) continue;
      const token = process.env.ARGOCD_AUTH_TOKEN;
      if (!token) {
        log("  ARGOCD_AUTH_TOKEN is not set: the bootstrap Application is not created (docs/ci-oidc.md)");
        continue;
      }
      const clusterArn = must(s.clusterArnFrom, { capture: true }).stdout.trim();
      const server = must(s.serverFrom, { capture: true }).stdout.trim().replace(/\/+$/, "");
      const body = join(dirname(s.argoApplication.path), "application.json");
      writeFileSync(s.argoApplication.path, stringify(argoApplication({ ...s.argoApplication, clusterArn })));
      writeFileSync(body, JSON.stringify(argoApplication({ ...s.argoApplication, clusterArn })));
      // The token goes in a header file, never on a command line; the runner has curl, not the argocd CLI.
      const header = join(dirname(s.argoApplication.path), "authorization.header");
      writeFileSync(header, `Authorization: Bearer ${token}\n`, { mode: 0o600 });
      must(s.curlArgv(server, header, body));
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { outputs: { type: "string" }, "dry-run": { type: "boolean" } } });
  try {
    if (!values.outputs) throw new PublishError("--outputs: expected the file `pulumi stack output --json` wrote");
    const outputs = JSON.parse(readFileSync(values.outputs, "utf8"));
    const workDir = mkdtempSync(join(tmpdir(), "tricloud-publish-"));
    run(publishPlan(outputs, workDir), { dryRun: values["dry-run"] === true });
  } catch (err) {
    if (err instanceof PublishError || err instanceof SyntaxError) {
      console.error(`publish-manifests: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}
