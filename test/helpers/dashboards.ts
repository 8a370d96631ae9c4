import type { PlanReport } from "../../cli/plan/report";
import { ofType } from "./plan";

type Json = Record<string, any>;

/** The panel titles of each cloud's dashboard, read from the planned resources' own formats. */
export function dashboardTitles(r: PlanReport): { aws: string[]; azure: string[]; gcp: string[] } {
  const only = (type: string) => {
    const found = ofType(r, type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0]!.inputs as Json;
  };
  const aws = JSON.parse(only("aws:cloudwatch/dashboard:Dashboard").dashboardBody) as { widgets: Json[] };
  const gcp = JSON.parse(only("gcp:monitoring/dashboard:Dashboard").dashboardJson) as {
    mosaicLayout: { tiles: Json[] };
  };
  const azure = only("azure-native:portal:Dashboard").properties as { lenses: { parts: Json[] }[] };
  // Position order is reading order: row by row, left to right.
  const byPosition = <T>(items: T[], xy: (t: T) => [number, number]) =>
    [...items].sort((a, b) => xy(a)[1] - xy(b)[1] || xy(a)[0] - xy(b)[0]);
  return {
    // CloudWatch text widgets have no title: their Markdown starts with it as a heading.
    aws: byPosition(aws.widgets, (w) => [w.x, w.y]).map(
      (w) => w.properties.title ?? String(w.properties.markdown).match(/^## (.+)$/m)?.[1],
    ),
    azure: byPosition(azure.lenses[0]!.parts, (p) => [p.position.x, p.position.y]).map((p) => {
      const s = p.metadata.settings.content;
      return s.options?.chart?.title ?? s.PartTitle ?? s.settings?.title;
    }),
    gcp: byPosition(gcp.mosaicLayout.tiles, (t) => [t.xPos, t.yPos]).map((t) => t.widget.title),
  };
}
