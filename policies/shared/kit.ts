import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

/** Resource properties as policies read them (plain JSON behind the engine's unknown-value proxy). */
export type Props = Record<string, any>;
export type TypedCheck = (
  props: Props,
  args: ResourceValidationArgs,
  reportViolation: ReportViolation,
) => void | Promise<void>;

/**
 * `validateResourceOfType` for several types at once, matched by type token:
 * classes would make each pack depend on all three provider SDKs. Any other
 * type is reported not applicable, as `validateResourceOfType` does.
 */
export function validateTypes(checks: Readonly<Record<string, TypedCheck>>): ResourceValidation {
  const types = Object.keys(checks);
  return (args, reportViolation) => {
    const check = checks[args.type];
    if (!check)
      return args.notApplicable(`Policy only applies to resources of type ${types.map((t) => `'${t}'`).join(", ")}`);
    return check(args.props, args, reportViolation);
  };
}

/** Reads a dotted path ("settings.ipConfiguration.ipv4Enabled"); undefined when any step is missing. */
export function get(obj: unknown, path: string): any {
  let cur: any = obj;
  for (const k of path.split(".")) {
    if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Providers send booleans as strings in some nested blocks ("true"). */
export const isTrue = (v: unknown) => v === true || v === "true";

/** The last segment of a URN: the resource's name, for messages. */
export const nameOfUrn = (urn: string) => urn.split("::").pop() ?? urn;
