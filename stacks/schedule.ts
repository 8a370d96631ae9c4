import type * as pulumi from "@pulumi/pulumi";
import { Downscaler, DOWNSCALER_UPSTREAM } from "../components/workloads/downscaler";
import { CLOUDS, type Cloud } from "@tricloud/vocabulary/sizes";
import type { StackConfig } from "./config/load";
import { hoursOffPerMonth, uptimeSpec } from "./config/schedule";

/** The month the cost model counts in (pricing/model.ts HOURS_PER_MONTH). */
const HOURS_PER_MONTH = 730;

/** Per cloud, the registry the downscaler's image is mirrored into and the component it is parented to. */
export type ScheduleHosts = Record<Cloud, { registryUrl: pulumi.Input<string>; parent: pulumi.Resource }>;

/**
 * The stack output `schedule` when `tricloud:schedule` is set: the working hours, the hours off a month the cost
 * model prices as a saving, and per cluster the downscaler's rendered objects, published beside `workloads.<cloud>`.
 */
export function offHours(config: StackConfig, hosts: ScheduleHosts) {
  const t = config.tricloud;
  const s = t.schedule;
  if (!s) return undefined;
  const uptime = uptimeSpec(s);
  const downscaler = {} as Record<
    Cloud,
    { manifests: pulumi.Output<string>; sha256: pulumi.Output<string>; image: pulumi.Output<string> }
  >;
  for (const cloud of CLOUDS) {
    const d = new Downscaler(
      `${t.environment}-${cloud}-downscaler`,
      { cloud, kubernetesVersion: t.kubernetesVersion, registryUrl: hosts[cloud].registryUrl, uptime },
      { parent: hosts[cloud].parent },
    );
    downscaler[cloud] = { manifests: d.manifests, sha256: d.sha256, image: d.image };
  }
  return {
    ...s,
    uptime,
    hoursPerMonth: HOURS_PER_MONTH,
    hoursOffPerMonth: Math.round(hoursOffPerMonth(s, HOURS_PER_MONTH) * 100) / 100,
    downscaler,
    // Where CI copies the downscaler's image from into each registry (scripts/publish-manifests.mjs).
    downscalerUpstream: DOWNSCALER_UPSTREAM,
  };
}
