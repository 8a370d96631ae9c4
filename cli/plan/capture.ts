import * as pulumi from "@pulumi/pulumi";

/** What the capture sees of one registration; inputs come from the mocks. */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly custom: boolean;
  /** The `protect` option: what policies see as `opts.protect`. */
  readonly protect: boolean;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Replaces secret-marked values by "[secret]" and resources by their type,
 * and lists the paths that were secret. Plain JSON comes back unchanged.
 */
export function redact(value: unknown, path = "", secrets: string[] = []): { value: unknown; secrets: string[] } {
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] === SECRET_VALUE) {
      secrets.push(path || "(root)");
      return { value: "[secret]", secrets };
    }
    if (pulumi.Resource.isInstance(value)) return { value: "[resource]", secrets };
    if (Array.isArray(value)) {
      return { value: value.map((v, i) => redact(v, `${path}[${i}]`, secrets).value), secrets };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = redact(v, path ? `${path}.${k}` : k, secrets).value;
    return { value: out, secrets };
  }
  return { value, secrets };
}

/**
 * Records every registration the program makes, with its parent, by wrapping
 * the mock monitor. Mocks do not pass parents to `newResource`
 * (pulumi/pulumi#14421), but the monitor's request carries them.
 * URNs are rebuilt the way the engine builds them (full parent type chain, the
 * root stack left out) so they match what `pulumi preview` prints.
 */
export class Capture {
  readonly registrations: Registration[] = [];
  readonly withOutputs = new Set<string>();
  /**
   * The stack's outputs as the engine receives them, secrets still marked
   * (the value `runInPulumiStack` resolves to has lost that mark).
   */
  stackOutputs: Record<string, unknown> | undefined;
  private readonly engineUrn = new Map<string, { urn: string; qualifiedType: string }>();

  install(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as Record<string, (req: any, cb: any) => unknown>;
    const register = monitor.registerResource!.bind(monitor);
    monitor.registerResource = (req: any, callback: any) =>
      register(req, (err: unknown, resp: any) => {
        if (!err && resp) this.record(resp.getUrn(), req.getType(), req.getName(), req.getParent(), req.getCustom(), req.getProtect?.() === true);
        callback(err, resp);
      });
    const registerOutputs = monitor.registerResourceOutputs!.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: any) => {
      const mapped = this.engineUrn.get(req.getUrn());
      if (mapped) this.withOutputs.add(mapped.urn);
      if (mapped?.qualifiedType === "pulumi:pulumi:Stack") this.stackOutputs = req.getOutputs()?.toJavaScript();
      return registerOutputs(req, callback);
    };
  }

  private record(monitorUrn: string, type: string, name: string, parentMonitorUrn: string, custom: boolean, protect: boolean): void {
    const parent = parentMonitorUrn ? this.engineUrn.get(parentMonitorUrn) : undefined;
    const underStack = !parent || parent.qualifiedType === "pulumi:pulumi:Stack";
    const qualifiedType = underStack ? type : `${parent.qualifiedType}$${type}`;
    const urn = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
    this.engineUrn.set(monitorUrn, { urn, qualifiedType: type === "pulumi:pulumi:Stack" ? type : qualifiedType });
    this.registrations.push({ urn, type, name, parent: parent?.urn ?? null, custom, protect });
  }
}
