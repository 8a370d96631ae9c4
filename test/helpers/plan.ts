import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { plan } from "../../cli/plan/run";
import type { PlanReport, PlannedResource } from "../../cli/plan/report";

const cache = new Map<string, Promise<PlanReport>>();

/** Plans a stack of this repository offline (cached per stack + overrides within a test file). */
export function planStack(stack: string, overrides: readonly string[] = []): Promise<PlanReport> {
  const key = `${stack}|${overrides.join("|")}`;
  let p = cache.get(key);
  if (!p) {
    p = plan({ stack, overrides, projectDir: `${__dirname}/../..` });
    cache.set(key, p);
  }
  return p;
}

/**
 * Plans a stack of this repository as a team without an IAM Identity Center instance would: its stack file without
 * `tricloud:clusters.eksArgoCdIdcInstanceArn` (so EKS has no Argo CD capability). Cached like planStack.
 */
export function planStackWithoutEksArgoCd(stack: string): Promise<PlanReport> {
  const key = `${stack}|without eksArgoCdIdcInstanceArn`;
  let p = cache.get(key);
  if (!p) {
    const root = `${__dirname}/../..`;
    const doc = parseDocument(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8"));
    if (!doc.deleteIn(["config", "tricloud:clusters", "eksArgoCdIdcInstanceArn"]))
      throw new Error(`Pulumi.${stack}.yaml sets no tricloud:clusters.eksArgoCdIdcInstanceArn`);
    const file = join(mkdtempSync(join(tmpdir(), "tricloud-no-argocd-")), `Pulumi.${stack}.yaml`);
    writeFileSync(file, doc.toString());
    p = plan({ stack, configFile: file, projectDir: root });
    cache.set(key, p);
  }
  return p;
}

export function ofType(report: PlanReport, type: string): PlannedResource[] {
  return report.resources.filter((r) => r.type === type);
}

export function oneOfType(report: PlanReport, type: string, nameIncludes = ""): PlannedResource {
  const found = ofType(report, type).filter((r) => r.name.includes(nameIncludes));
  if (found.length !== 1)
    throw new Error(
      `expected exactly one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.length}`,
    );
  return found[0]!;
}

/** The chain of ancestors of a resource, nearest first. */
export function ancestors(report: PlanReport, r: PlannedResource): PlannedResource[] {
  const byUrn = new Map(report.resources.map((x) => [x.urn, x]));
  const chain: PlannedResource[] = [];
  let cur = r.parent ? byUrn.get(r.parent) : undefined;
  while (cur) {
    chain.push(cur);
    cur = cur.parent ? byUrn.get(cur.parent) : undefined;
  }
  return chain;
}

/** Reads a nested input by dotted path ("tags.owner"). */
export function input(r: PlannedResource, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), r.inputs);
}
