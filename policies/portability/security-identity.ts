import type { ResourceValidationPolicy } from "@pulumi/policy";
import { validateTypes, type Props, type TypedCheck } from "@tricloud/policy-kit/kit";

/** Identity and secrets: no wildcard permissions, no credentials in plain inputs. */

const parseDoc = (doc: unknown): any => {
  if (typeof doc !== "string") return doc;
  try {
    return JSON.parse(doc);
  } catch {
    return undefined;
  }
};

/** Allow statements whose actions include "*" or "<service>:*", or that allow everything but a list (NotAction). */
export function wildcardActions(doc: unknown): string[] {
  const d = parseDoc(doc);
  const statements = d?.Statement === undefined ? [] : Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  const found: string[] = [];
  for (const s of statements) {
    if (s?.Effect !== "Allow") continue;
    const actions = s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action];
    for (const a of actions) if (a === "*" || /^[a-z0-9-]+:\*$/i.test(String(a))) found.push(String(a));
    if (s.NotAction !== undefined) found.push(`NotAction ${JSON.stringify(s.NotAction)}`);
  }
  return found;
}

const docCheck =
  (...fields: string[]): TypedCheck =>
  (p, _a, report) => {
    for (const f of fields) {
      const bad = wildcardActions(p[f]);
      if (bad.length)
        report(`${f} allows ${bad.join(", ")}: list the actions the workload needs instead of wildcards.`);
    }
  };

/** Managed policies and roles that grant every action. */
const AWS_ADMIN = [
  "arn:aws:iam::aws:policy/AdministratorAccess",
  "arn:aws:iam::aws:policy/PowerUserAccess",
  "arn:aws:iam::aws:policy/IAMFullAccess",
];
const GCP_PRIMITIVE = ["roles/owner", "roles/editor"];
/** Azure built-in Owner and Contributor role ids (actions "*"). */
const AZURE_WILDCARD = ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-d4b1f0d7e3d4"];

const gcpRole: TypedCheck = (p, _a, report) => {
  const roles = p.role !== undefined ? [p.role] : [];
  for (const b of (p.bindings ?? []) as { role?: string }[]) roles.push(b.role);
  const bad = roles.filter((r) => GCP_PRIMITIVE.includes(String(r)));
  if (bad.length)
    report(
      `grants ${bad.join(", ")} (every permission in the project): grant a predefined role with only what is needed.`,
    );
};

export const noWildcardIam: ResourceValidationPolicy = {
  name: "security-iam-disallow-wildcard-actions",
  description:
    "Disallows IAM grants of every action: '*' or 'service:*' actions and NotAction in AWS policies, administrator managed policies, Owner/Contributor on Azure, owner/editor on GCP.",
  enforcementLevel: "mandatory",
  validateResource: validateTypes({
    "aws:iam/role:Role": (p, a, report) => {
      docCheck("assumeRolePolicy")(p, a, report);
      for (const inline of (p.inlinePolicies ?? []) as { name?: string; policy?: string }[]) {
        const bad = wildcardActions(inline.policy);
        if (bad.length)
          report(`inline policy ${inline.name ?? ""} allows ${bad.join(", ")}: list the actions instead.`);
      }
      for (const arn of (p.managedPolicyArns ?? []) as string[])
        if (AWS_ADMIN.includes(arn)) report(`attaches ${arn}, which allows every action: attach a narrower policy.`);
    },
    "aws:iam/policy:Policy": docCheck("policy"),
    "aws:iam/rolePolicy:RolePolicy": docCheck("policy"),
    "aws:iam/userPolicy:UserPolicy": docCheck("policy"),
    "aws:iam/groupPolicy:GroupPolicy": docCheck("policy"),
    "aws:kms/key:Key": docCheck("policy"),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": docCheck("policy"),
    "aws:s3/bucketPolicy:BucketPolicy": docCheck("policy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (p, _a, report) => {
      if (AWS_ADMIN.includes(String(p.policyArn)))
        report(`attaches ${p.policyArn}, which allows every action: attach a narrower policy.`);
    },
    "azure-native:authorization:RoleAssignment": (p, _a, report) => {
      const id = String(p.roleDefinitionId ?? "")
        .split("/")
        .pop();
      if (id && AZURE_WILDCARD.includes(id))
        report(
          `assigns the built-in ${id === AZURE_WILDCARD[0] ? "Owner" : "Contributor"} role (actions "*"): assign a role with only the needed actions (e.g. AcrPull).`,
        );
    },
    "azure-native:authorization:RoleDefinition": (p, _a, report) => {
      const actions = ((p.permissions ?? []) as { actions?: string[] }[]).flatMap((x) => x.actions ?? []);
      if (actions.includes("*")) report('a custom role with actions "*": list the operations instead.');
    },
    "gcp:projects/iAMMember:IAMMember": gcpRole,
    "gcp:projects/iAMBinding:IAMBinding": gcpRole,
    "gcp:projects/iAMPolicy:IAMPolicy": (p, _a, report) => {
      const d = parseDoc(p.policyData);
      gcpRole({ bindings: d?.bindings ?? [] }, _a, report);
    },
  }),
};

/** Credential material that must never sit in a plain input (the engine hands policies unwrapped secrets, so secret-marked values are recognisable only offline). */
const CREDENTIAL_PATTERNS: readonly [string, RegExp][] = [
  ["a private key", /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/],
  ["an AWS access key id", /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
  ["a Slack token", /\bxox[abpors]-[A-Za-z0-9-]{10,}\b/],
  ["a Stripe secret key", /\bsk_live_[A-Za-z0-9]{16,}\b/],
  ["a password in a URL", /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i],
];
/**
 * Inputs whose job is to hold a secret (secret stores): the real engine hands
 * policies their values unwrapped, so they are skipped rather than flagged.
 */
export const SECRET_STORE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretString", "secretBinary"],
  "aws:ssm/parameter:Parameter": ["value"],
  "azure-native:keyvault:Secret": ["properties"],
  "gcp:secretmanager/secretVersion:SecretVersion": ["secretData"],
};

const SENSITIVE_NAME = /(pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential)/i;

function scan(value: unknown, path: string, out: string[]): void {
  if (typeof value === "string") {
    for (const [what, re] of CREDENTIAL_PATTERNS) if (re.test(value)) out.push(`${path || "(value)"} holds ${what}`);
  } else if (Array.isArray(value)) value.forEach((v, i) => scan(v, `${path}[${i}]`, out));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) scan(v, path ? `${path}.${k}` : k, out);
}

const vercelEnv: TypedCheck = (p: Props, _a, report) => {
  for (const v of (p.variables ?? (p.key ? [p] : [])) as { key?: string; sensitive?: boolean; type?: string }[]) {
    if (SENSITIVE_NAME.test(String(v.key)) && v.sensitive !== true && v.type !== "sensitive" && v.type !== "secret") {
      report(
        `environment variable ${v.key} looks like a secret but is not sensitive: set sensitive: true and pass the value as a Pulumi secret.`,
      );
    }
  }
};

export const noPlaintextSecrets: ResourceValidationPolicy = {
  name: "security-resource-disallow-plaintext-secrets",
  description:
    "Disallows credentials in plain resource inputs (private keys, access keys, tokens, passwords in URLs) outside secret stores, and secret-looking Vercel variables not marked sensitive.",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    if (args.type.startsWith("pulumi:"))
      return args.notApplicable("providers and the stack carry config, checked by pulumi config --secret");
    const found: string[] = [];
    const skip = SECRET_STORE_FIELDS[args.type] ?? [];
    for (const [k, v] of Object.entries(args.props)) if (!skip.includes(k)) scan(v, k, found);
    for (const f of found)
      reportViolation(
        `${f}: pass it as a Pulumi secret (pulumi config set --secret, or a generated value) and never as plain text.`,
      );
    if (
      args.type === "vercel:index/projectEnvironmentVariables:ProjectEnvironmentVariables" ||
      args.type === "vercel:index/projectEnvironmentVariable:ProjectEnvironmentVariable"
    ) {
      vercelEnv(args.props, args, reportViolation);
    }
  },
};

export const identityPolicies = [noWildcardIam, noPlaintextSecrets];
