import { describe, expect, it } from "vitest";
import { runPreflight } from "../../policies/preflight/engine";
import { isStackRule, type PreflightResource } from "../../policies/preflight/rule";
import {
  AUTO_MODE_BUILTIN_POOLS as PROGRAM_BUILTIN_POOLS,
  AUTO_MODE_NODE_CLASS as PROGRAM_NODE_CLASS,
} from "../../components/aws/node-pool";
import {
  ARGOCD_APPLICATION_NAMESPACE,
  AUTO_MODE_BUILTIN_POOLS,
  AUTO_MODE_NODE_CLASS,
  awsPrerequisites,
  awsRules,
  CLOUDWATCH_RETENTION_DAYS,
} from "../../policies/preflight/rules/aws";
import { cloudWatchRetention } from "../../components/aws/cluster";
import { secretRecoveryWindowDays } from "../../components/aws/function-host";
import { input, ofType, oneOfType, planStack } from "../helpers/plan";
import { AS_OF, r, ruleHarness } from "../helpers/preflight";
import { ARGOCD_NAMESPACE } from "../../components/workloads/helm";

const { rule, findings, props } = ruleHarness(awsRules);

/** [rule, type, passing props, failing props, properties the failing one reports] per resource rule. */
const RESOURCE_CASES: [string, string, Record<string, unknown>, Record<string, unknown>, string[]][] = [
  [
    "preflight-aws-ec2-security-group-description-charset",
    "aws:ec2/securityGroup:SecurityGroup",
    { description: "PostgreSQL from the platform clients only" },
    { description: "the functions' egress", ingress: [{ description: "ok" }, { description: "café" }] },
    ["description", "ingress[1].description"],
  ],
  [
    "preflight-aws-iam-role-name-description",
    "aws:iam/role:Role",
    { name: "tricloud-dev-fn", description: "Execution role, Latin-1 only: café" },
    { name: "x".repeat(65), description: "role – a typographic dash" },
    ["name", "description"],
  ],
  [
    "preflight-aws-iam-role-policy-name",
    "aws:iam/rolePolicy:RolePolicy",
    { name: "own-logs" },
    { name: "own logs" },
    ["name"],
  ],
  [
    "preflight-aws-lambda-function-name-description",
    "aws:lambda/function:Function",
    { name: "tricloud-dev-quorum", description: "tricloud health/quorum node (aws)" },
    { name: "tricloud.dev.quorum", description: "d".repeat(257) },
    ["name", "description"],
  ],
  [
    "preflight-aws-rds-identifiers",
    "aws:rds/instance:Instance",
    { identifier: "dev-aws-db-pg", finalSnapshotIdentifier: "dev-aws-db-final" },
    { identifier: "1db--x-", finalSnapshotIdentifier: "final-" },
    ["identifier", "finalSnapshotIdentifier"],
  ],
  [
    "preflight-aws-rds-identifiers",
    "aws:rds/proxy:Proxy",
    { name: "tricloud-prod-quorum" },
    { name: "tricloud_prod" },
    ["name"],
  ],
  [
    "preflight-aws-ecr-repository-name",
    "aws:ecr/repository:Repository",
    { name: "tricloud/dev" },
    { name: "Tricloud/Dev" },
    ["name"],
  ],
  [
    "preflight-aws-cloudwatch-names",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    { name: "tricloud-dev-db-cpu", alarmDescription: "RDS CPU" },
    { name: "a".repeat(256), alarmDescription: "d".repeat(1025) },
    ["name", "alarmDescription"],
  ],
  [
    "preflight-aws-cloudwatch-names",
    "aws:cloudwatch/dashboard:Dashboard",
    { dashboardName: "tricloud-dev" },
    { dashboardName: "tricloud dev" },
    ["dashboardName"],
  ],
  [
    "preflight-aws-cloudwatch-names",
    "aws:cloudwatch/logGroup:LogGroup",
    { name: "/aws/lambda/tricloud-dev-quorum" },
    { name: "/aws/lambda/tricloud dev" },
    ["name"],
  ],
  [
    "preflight-aws-sns-topic-name",
    "aws:sns/topic:Topic",
    { name: "tricloud-dev-alerts" },
    { name: "tricloud.dev.alerts" },
    ["name"],
  ],
  [
    "preflight-aws-secretsmanager-secret-name",
    "aws:secretsmanager/secret:Secret",
    { name: "tricloud/dev/aws/signing-key" },
    { name: "tricloud dev key", description: "d".repeat(2049) },
    ["name", "description"],
  ],
  [
    "preflight-aws-eventbridge-rule-name",
    "aws:cloudwatch/eventRule:EventRule",
    { name: "reconcile", scheduleExpression: "rate(5 minutes)" },
    { name: "re:concile", scheduleExpression: "rate(1 minutes)" },
    ["name", "scheduleExpression"],
  ],
  [
    "preflight-aws-budget-name",
    "aws:budgets/budget:Budget",
    { name: "tricloud-dev-aws" },
    { name: "tricloud:dev" },
    ["name"],
  ],
  ["preflight-aws-eks-cluster-name", "aws:eks/cluster:Cluster", { name: "dev-aws-k8s" }, { name: "-dev" }, ["name"]],
  [
    "preflight-aws-description-lengths",
    "aws:ec2/launchTemplate:LaunchTemplate",
    { description: "EKS nodes" },
    { description: "d".repeat(256) },
    ["description"],
  ],
  [
    "preflight-aws-logs-retention-days",
    "aws:cloudwatch/logGroup:LogGroup",
    { name: "/x", retentionInDays: 30 },
    { name: "/x", retentionInDays: 45 },
    ["retentionInDays"],
  ],
  [
    "preflight-aws-lambda-memory-timeout",
    "aws:lambda/function:Function",
    { name: "f", memorySize: 512, timeout: 60 },
    { name: "f", memorySize: 64, timeout: 901 },
    ["memorySize", "timeout"],
  ],
  [
    "preflight-aws-rds-gp3-storage",
    "aws:rds/instance:Instance",
    { engine: "postgres", storageType: "gp3", allocatedStorage: 20, maxAllocatedStorage: 80 },
    { engine: "postgres", storageType: "gp3", allocatedStorage: 10, maxAllocatedStorage: 5 },
    ["allocatedStorage", "maxAllocatedStorage"],
  ],
  [
    "preflight-aws-secretsmanager-recovery-window",
    "aws:secretsmanager/secret:Secret",
    { name: "s", recoveryWindowInDays: 0 },
    { name: "s", recoveryWindowInDays: 3 },
    ["recoveryWindowInDays"],
  ],
  [
    "preflight-aws-route53-health-check",
    "aws:route53/healthCheck:HealthCheck",
    { requestInterval: 30, failureThreshold: 3, resourcePath: "/health" },
    { requestInterval: 20, failureThreshold: 11 },
    ["requestInterval", "failureThreshold"],
  ],
  [
    "preflight-aws-eks-node-group-scaling",
    "aws:eks/nodeGroup:NodeGroup",
    { scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 2 } },
    { scalingConfig: { minSize: 2, desiredSize: 1, maxSize: 3 } },
    ["scalingConfig"],
  ],
  [
    "preflight-aws-eks-auto-mode-bounded-pools",
    "aws:eks/cluster:Cluster",
    { computeConfig: { enabled: true, nodePools: ["system"], nodeRoleArn: "arn:aws:iam::1:role/auto" } },
    { computeConfig: { enabled: true, nodePools: ["general-purpose"], nodeRoleArn: "arn:aws:iam::1:role/auto" } },
    ["computeConfig.nodePools[0]", "computeConfig.nodePools"],
  ],
  [
    "preflight-aws-rds-final-snapshot",
    "aws:rds/instance:Instance",
    { skipFinalSnapshot: false, finalSnapshotIdentifier: "db-final" },
    { skipFinalSnapshot: false },
    ["finalSnapshotIdentifier"],
  ],
];

describe("AWS preflight: names, charsets, lengths, allowed values, combinations (each rule passes and fails)", () => {
  it.each(RESOURCE_CASES)("%s on %s", (name, type, good, bad, reported) => {
    expect(findings(name, [r(type, good)])).toEqual([]);
    const found = findings(name, [r(type, bad)]);
    expect(found.map((f) => f.property)).toEqual(reported);
    for (const f of found) {
      expect(f.level).toBe("error");
      expect(f.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/.+ \(read 2026-11-30/);
    }
  });

  it("every AWS rule has a passing and a failing case here", () => {
    const covered = new Set([...RESOURCE_CASES.map((c) => c[0]), ...STACK_RULES]);
    expect(awsRules.map((x) => x.name).filter((x) => !covered.has(x))).toEqual([]);
  });

  it("a name Pulumi generates counts: the logical name plus 8 characters must fit", () => {
    const long = r("aws:iam/role:Role", {}, { name: "x".repeat(57) });
    expect(findings("preflight-aws-iam-role-name-description", [long]).map((f) => [f.property, f.value])).toEqual([
      ["name (generated by Pulumi)", `${"x".repeat(57)}-xxxxxxx`],
    ]);
    expect(
      findings("preflight-aws-iam-role-name-description", [r("aws:iam/role:Role", {}, { name: "x".repeat(56) })]),
    ).toEqual([]);
  });

  it("the retention list is PutRetentionPolicy's, and the components round every retention onto it", () => {
    expect([...CLOUDWATCH_RETENTION_DAYS]).toEqual([
      1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]);
    for (let d = 1; d <= 3653; d++) expect(CLOUDWATCH_RETENTION_DAYS).toContain(cloudWatchRetention(d));
  });

  it("a fixed-name secret outside prod must be deletable at once; prod may keep its recovery window", () => {
    const secret = (w?: number) =>
      r("aws:secretsmanager/secret:Secret", {
        name: "tricloud/dev/aws/signing-key",
        ...(w === undefined ? {} : { recoveryWindowInDays: w }),
      });
    const name = "preflight-aws-secretsmanager-fixed-name-recovery";
    expect(props(name, [secret(0)], { ...AS_OF, environment: "dev" })).toEqual([]);
    expect(props(name, [secret()], { ...AS_OF, environment: "dev" })).toEqual(["recoveryWindowInDays"]);
    expect(props(name, [secret(30)], { ...AS_OF, environment: "prod" })).toEqual([]);
    expect([secretRecoveryWindowDays("dev"), secretRecoveryWindowDays("prod")]).toEqual([0, 30]);
  });

  it("Auto Mode: all three capabilities together, no self-managed add-ons, a node role for the built-in pools", () => {
    const on = {
      computeConfig: { enabled: true, nodePools: ["general-purpose"], nodeRoleArn: "arn:aws:iam::1:role/auto" },
      storageConfig: { blockStorage: { enabled: true } },
      kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
      bootstrapSelfManagedAddons: false,
    };
    const name = "preflight-aws-eks-auto-mode-all-or-none";
    expect(props(name, [r("aws:eks/cluster:Cluster", on)])).toEqual([]);
    expect(props(name, [r("aws:eks/cluster:Cluster", {})])).toEqual([]);
    expect(
      props(name, [
        r("aws:eks/cluster:Cluster", {
          ...on,
          storageConfig: { blockStorage: { enabled: false } },
          bootstrapSelfManagedAddons: undefined,
          computeConfig: { enabled: true, nodePools: ["gpu"] },
        }),
      ]),
    ).toEqual([
      "computeConfig.enabled / storageConfig.blockStorage.enabled / kubernetesNetworkConfig.elasticLoadBalancing.enabled",
      "bootstrapSelfManagedAddons",
      "computeConfig.nodeRoleArn",
      "computeConfig.nodePools[0]",
    ]);
  });
});

const STACK_RULES = [
  "preflight-aws-eks-auto-mode-all-or-none",
  "preflight-aws-eks-auto-mode-network-policy",
  "preflight-aws-secretsmanager-fixed-name-recovery",
  "preflight-aws-lambda-reserved-concurrency",
  "preflight-aws-eks-addon-waits-for-nodes",
  "preflight-aws-eks-networking-addons",
  "preflight-aws-eks-auto-mode-cluster-role",
  "preflight-aws-lambda-waits-for-vpc-permissions",
  "preflight-aws-log-groups-first",
  "preflight-aws-rds-proxy-login-first",
  "preflight-aws-eks-argocd-capability-access",
];

describe("EKS Auto Mode's pools stay bounded", () => {
  const name = "preflight-aws-eks-auto-mode-bounded-pools";
  const cluster = (computeConfig: Record<string, unknown>) => r("aws:eks/cluster:Cluster", { computeConfig });

  it("refuses no built-in pool (no default NodeClass for the rendered NodePool); ignores a cluster without Auto Mode", () => {
    expect(props(name, [cluster({ enabled: true, nodePools: [] })])).toEqual(["computeConfig.nodePools"]);
    expect(props(name, [cluster({ enabled: true })])).toEqual(["computeConfig.nodePools"]);
    expect(props(name, [cluster({ enabled: true, nodePools: ["system", "general-purpose"] })])).toEqual([
      "computeConfig.nodePools[1]",
    ]);
    expect(props(name, [cluster({ enabled: false })])).toEqual([]);
  });

  it("the pack's pool and NodeClass names are the program's (components/aws/node-pool.ts)", () => {
    expect(AUTO_MODE_BUILTIN_POOLS).toEqual(PROGRAM_BUILTIN_POOLS);
    expect(AUTO_MODE_NODE_CLASS.name).toBe(PROGRAM_NODE_CLASS.name);
  });
});

describe("the services' NetworkPolicies are enforced on EKS Auto Mode's nodes", () => {
  const name = "preflight-aws-eks-auto-mode-network-policy";
  const cluster = r("aws:eks/cluster:Cluster", {
    name: "c",
    computeConfig: { enabled: true, nodePools: ["system"] },
    storageConfig: { blockStorage: { enabled: true } },
    kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
  });
  const cni = (values?: Record<string, unknown>) =>
    r("aws:eks/addon:Addon", {
      clusterName: "c",
      addonName: "vpc-cni",
      ...(values ? { configurationValues: JSON.stringify(values) } : {}),
    });
  const nodeClass = (name: string, networkPolicy?: string) => ({
    apiVersion: "eks.amazonaws.com/v1",
    kind: "NodeClass",
    metadata: { name },
    spec: { role: "auto-nodes", ...(networkPolicy ? { networkPolicy } : {}) },
  });
  const nodePool = (className: string) => ({
    apiVersion: "karpenter.sh/v1",
    kind: "NodePool",
    metadata: { name: "services" },
    spec: { template: { spec: { nodeClassRef: { group: "eks.amazonaws.com", kind: "NodeClass", name: className } } } },
  });
  const stack = (...objects: unknown[]) => r("pulumi:pulumi:Stack", { workloads: { aws: { objects } } });
  const on = { enableNetworkPolicy: "true" };

  it("passes a NodePool on a rendered NodeClass with networkPolicy, with the add-on's controller switch on", () => {
    expect(findings(name, [cluster, cni(on), stack(nodeClass("nc", "DefaultAllow"), nodePool("nc"))])).toEqual([]);
    expect(findings(name, [cluster, cni(on), stack(nodeClass("nc", "DefaultDeny"), nodePool("nc"))])).toEqual([]);
  });

  it("refuses a NodePool on the built-in `default` NodeClass, on one the program does not render, or on one without networkPolicy", () => {
    expect(props(name, [cluster, cni(on), stack(nodePool("default"))])).toEqual([
      "workloads.aws.objects[0].spec.template.spec.nodeClassRef.name",
    ]);
    expect(props(name, [cluster, cni(on), stack(nodeClass("other", "DefaultAllow"), nodePool("nc"))])).toEqual([
      "workloads.aws.objects[1].spec.template.spec.nodeClassRef.name",
    ]);
    const missing = findings(name, [cluster, cni(on), stack(nodeClass("nc"), nodePool("nc"))]);
    expect(missing.map((f) => [f.urn, f.property, f.value])).toEqual([
      [cluster.urn, "workloads.aws.objects[0].spec.networkPolicy", undefined],
    ]);
    expect(missing[0]!.level).toBe("error");
    expect(props(name, [cluster, cni(on), stack(nodeClass("nc", "Allow"), nodePool("nc"))])).toEqual([
      "workloads.aws.objects[0].spec.networkPolicy",
    ]);
  });

  it("refuses NodePools without the network policy controller switched on; a rendered amazon-vpc-cni ConfigMap counts", () => {
    const objects = [nodeClass("nc", "DefaultAllow"), nodePool("nc")];
    const off = cni({ enableNetworkPolicy: "false" });
    expect(findings(name, [cluster, off, stack(...objects)]).map((f) => [f.urn, f.property])).toEqual([
      [off.urn, "configurationValues"],
    ]);
    expect(props(name, [cluster, cni(), stack(...objects)])).toEqual(["configurationValues"]);
    expect(props(name, [cluster, stack(...objects)])).toEqual(["addons"]);
    const configMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "amazon-vpc-cni", namespace: "kube-system" },
      data: { "enable-network-policy-controller": "true" },
    };
    expect(findings(name, [cluster, stack(configMap, ...objects)])).toEqual([]);
  });

  it("ignores clusters without Auto Mode, stacks without the workloads output and objects without a NodePool", () => {
    const plain = r("aws:eks/cluster:Cluster", { name: "c" });
    expect(findings(name, [plain, stack(nodePool("default"))])).toEqual([]);
    expect(findings(name, [cluster, r("pulumi:pulumi:Stack", {})])).toEqual([]);
    expect(findings(name, [cluster, stack(nodeClass("nc"))])).toEqual([]);
  });

  it("on the stacks' own plans (the Stack with its outputs, as the engine shows it): passes, and refuses the program's NodeClass stripped of networkPolicy", async () => {
    for (const stackName of ["dev", "staging", "prod"]) {
      const report = await planStack(stackName);
      const resources = (outputs: unknown): PreflightResource[] =>
        report.resources.map((x) => ({
          urn: x.urn,
          type: x.type,
          name: x.name,
          parent: x.parent,
          props: x.type === "pulumi:pulumi:Stack" ? (outputs as Record<string, any>) : x.inputs,
        }));
      const objects = (report.outputs as any).workloads.aws.objects as any[];
      expect(objects.filter((o) => o.kind === "NodePool").length).toBe(1);
      expect(findings(name, resources(report.outputs))).toEqual([]);
      const stripped = structuredClone(report.outputs) as any;
      const nc = stripped.workloads.aws.objects.find((o: any) => o.kind === "NodeClass");
      delete nc.spec.networkPolicy;
      expect(findings(name, resources(stripped)).map((f) => f.property)).toEqual([
        `workloads.aws.objects[${stripped.workloads.aws.objects.indexOf(nc)}].spec.networkPolicy`,
      ]);
    }
  });
});

describe("AWS preflight: quotas, what must exist and what must wait (each rule passes and fails)", () => {
  it("reserved concurrency must leave 100 of the account's quota unreserved; the quota need is listed as a prerequisite", () => {
    const fn = (reserved: number) =>
      r("aws:lambda/function:Function", { name: "f", reservedConcurrentExecutions: reserved, memorySize: 512 });
    const name = "preflight-aws-lambda-reserved-concurrency";
    expect(isStackRule(rule(name))).toBe(true);
    expect(props(name, [fn(900)])).toEqual([]);
    expect(props(name, [fn(500), fn(401)])).toEqual(["reservedConcurrentExecutions", "reservedConcurrentExecutions"]);
    // A new account with a 50-execution quota cannot reserve even 1.
    expect(findings(name, [fn(1)], { ...AS_OF, awsLambdaConcurrency: 50 })[0]!.expected).toContain(
      "no reservation at all",
    );
    const { prerequisites } = runPreflight([fn(20)], AS_OF, [], awsPrerequisites);
    expect(prerequisites.find((p) => p.what.includes("L-B99A9384"))!.what).toContain("at least 120");
  });

  it("add-ons that run pods wait for the node group; add-ons without pods and Auto-Mode-only clusters do not need to", () => {
    const group = r("aws:eks/nodeGroup:NodeGroup", { clusterName: "c" });
    const waiting = r(
      "aws:eks/addon:Addon",
      { clusterName: "c", addonName: "amazon-cloudwatch-observability" },
      { dependencies: [group.urn] },
    );
    const racing = r("aws:eks/addon:Addon", { clusterName: "c", addonName: "coredns" });
    const noPods = r("aws:eks/addon:Addon", { clusterName: "c", addonName: "vpc-cni" });
    const name = "preflight-aws-eks-addon-waits-for-nodes";
    expect(findings(name, [group, waiting, noPods])).toEqual([]);
    expect(findings(name, [group, racing]).map((f) => [f.urn, f.value])).toEqual([[racing.urn, "coredns"]]);
    expect(findings(name, [r("aws:eks/addon:Addon", { clusterName: "auto-only", addonName: "coredns" })])).toEqual([]);
  });

  it("the Argo CD capability's role gets an access policy after the capability, no access entry of its own, and reads the Applications' namespace", () => {
    const role = "arn:aws:iam::123456789012:role/argocd";
    const cap = r("aws:eks/capability:Capability", {
      clusterName: "c",
      type: "ARGOCD",
      roleArn: role,
      configuration: { argoCd: { namespace: ARGOCD_NAMESPACE } },
    });
    const policy = { clusterName: "c", principalArn: role, policyArn: "arn:aws:eks::aws:cluster-access-policy/x" };
    const after = r("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", policy, { dependencies: [cap.urn] });
    const racing = r("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", policy);
    const entry = r("aws:eks/accessEntry:AccessEntry", { clusterName: "c", principalArn: role });
    const name = "preflight-aws-eks-argocd-capability-access";
    expect(findings(name, [cap, after])).toEqual([]);
    expect(findings(name, [cap]).map((f) => [f.urn, f.property])).toEqual([[cap.urn, "roleArn"]]);
    expect(findings(name, [cap, racing]).map((f) => [f.urn, f.property])).toEqual([[racing.urn, "dependsOn"]]);
    expect(findings(name, [cap, after, entry]).map((f) => [f.urn, f.property])).toEqual([[entry.urn, "principalArn"]]);
    // Another cluster's association does not count; another namespace than the rendered Applications' is refused.
    const elsewhere = r(
      "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
      { ...policy, clusterName: "other" },
      { dependencies: [cap.urn] },
    );
    expect(findings(name, [cap, elsewhere]).map((f) => f.property)).toEqual(["roleArn"]);
    const moved = r("aws:eks/capability:Capability", {
      ...cap.props,
      configuration: { argoCd: { namespace: "gitops" } },
    });
    const movedPolicy = r("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", policy, {
      dependencies: [moved.urn],
    });
    expect(findings(name, [moved, movedPolicy]).map((f) => [f.property, f.value])).toEqual([
      ["configuration.argoCd.namespace", "gitops"],
    ]);
    for (const f of findings(name, [cap])) expect(f.level).toBe("error");
    // The preflight pack imports nothing of the program: its namespace is the renderer's, checked here.
    expect(ARGOCD_APPLICATION_NAMESPACE).toBe(ARGOCD_NAMESPACE);
  });

  it("a cluster without self-managed add-ons needs vpc-cni, kube-proxy and coredns add-ons, and its node group waits for the networking ones", () => {
    const cluster = r("aws:eks/cluster:Cluster", { name: "c", bootstrapSelfManagedAddons: false });
    const cni = r("aws:eks/addon:Addon", { clusterName: "c", addonName: "vpc-cni" });
    const proxy = r("aws:eks/addon:Addon", { clusterName: "c", addonName: "kube-proxy" });
    const dns = r("aws:eks/addon:Addon", { clusterName: "c", addonName: "coredns" });
    const name = "preflight-aws-eks-networking-addons";
    expect(
      findings(name, [
        cluster,
        cni,
        proxy,
        dns,
        r("aws:eks/nodeGroup:NodeGroup", { clusterName: "c" }, { dependencies: [cni.urn, proxy.urn] }),
      ]),
    ).toEqual([]);
    expect(
      findings(name, [cluster, cni, r("aws:eks/nodeGroup:NodeGroup", { clusterName: "c" })]).map((f) => f.expected),
    ).toEqual([
      'an aws.eks.Addon "kube-proxy" for the node group\'s nodes',
      'an aws.eks.Addon "coredns" for the node group\'s nodes',
      "wait for the vpc-cni add-on (nodes stay NotReady without it)",
    ]);
  });

  it("an Auto Mode cluster's role trusts sts:TagSession and the cluster waits for its five policies", () => {
    const trust = (actions: string[]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: actions }],
      });
    const role = (actions: string[]) => r("aws:iam/role:Role", { assumeRolePolicy: trust(actions) });
    const attach = (ro: PreflightResource, p: string) =>
      r(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        { policyArn: `arn:aws:iam::aws:policy/${p}` },
        { dependencies: [ro.urn] },
      );
    const policies = [
      "AmazonEKSClusterPolicy",
      "AmazonEKSComputePolicy",
      "AmazonEKSBlockStoragePolicy",
      "AmazonEKSLoadBalancingPolicy",
      "AmazonEKSNetworkingPolicy",
    ];
    const auto = { computeConfig: { enabled: true } };
    const good = role(["sts:AssumeRole", "sts:TagSession"]);
    const goodAttached = policies.map((p) => attach(good, p));
    const name = "preflight-aws-eks-auto-mode-cluster-role";
    expect(
      findings(name, [
        good,
        ...goodAttached,
        r("aws:eks/cluster:Cluster", auto, { dependencies: [good.urn, ...goodAttached.map((a) => a.urn)] }),
      ]),
    ).toEqual([]);
    const bad = role(["sts:AssumeRole"]);
    const one = attach(bad, "AmazonEKSClusterPolicy");
    expect(
      findings(name, [bad, one, r("aws:eks/cluster:Cluster", auto, { dependencies: [bad.urn, one.urn] })]).map(
        (f) => f.value,
      ),
    ).toEqual([["sts:AssumeRole"], ...policies.slice(1)]);
  });

  it("a Lambda in a VPC waits for the role policy that grants the ENI permissions", () => {
    const role = r("aws:iam/role:Role", {});
    const policy = r(
      "aws:iam/rolePolicy:RolePolicy",
      {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"], Resource: "*" },
          ],
        }),
      },
      { dependencies: [role.urn] },
    );
    const inVpc = { vpcConfig: { subnetIds: ["subnet-1"] } };
    const name = "preflight-aws-lambda-waits-for-vpc-permissions";
    expect(
      findings(name, [
        role,
        policy,
        r("aws:lambda/function:Function", inVpc, { dependencies: [role.urn, policy.urn] }),
      ]),
    ).toEqual([]);
    expect(
      findings(name, [role, policy, r("aws:lambda/function:Function", inVpc, { dependencies: [role.urn] })]).map(
        (f) => f.property,
      ),
    ).toEqual(["dependsOn"]);
    expect(
      findings(name, [role, r("aws:lambda/function:Function", inVpc, { dependencies: [role.urn] })]).map(
        (f) => f.property,
      ),
    ).toEqual(["role"]);
    expect(findings(name, [role, r("aws:lambda/function:Function", {}, { dependencies: [role.urn] })])).toEqual([]);
  });

  it("Lambda, RDS and EKS log groups exist first with a retention, and their writers wait for them", () => {
    const group = (name: string) => r("aws:cloudwatch/logGroup:LogGroup", { name, retentionInDays: 30 });
    const fnLogs = group("/aws/lambda/f");
    const pg = group("/aws/rds/instance/db/postgresql");
    const up = group("/aws/rds/instance/db/upgrade");
    const eksLogs = group("/aws/eks/c/cluster");
    const name = "preflight-aws-log-groups-first";
    expect(
      findings(name, [
        fnLogs,
        pg,
        up,
        eksLogs,
        r("aws:lambda/function:Function", { name: "f" }, { dependencies: [fnLogs.urn] }),
        r(
          "aws:rds/instance:Instance",
          { identifier: "db", enabledCloudwatchLogsExports: ["postgresql", "upgrade"] },
          { dependencies: [pg.urn, up.urn] },
        ),
        r("aws:eks/cluster:Cluster", { name: "c", enabledClusterLogTypes: ["api"] }, { dependencies: [eksLogs.urn] }),
      ]),
    ).toEqual([]);
    expect(
      props(name, [
        fnLogs,
        pg,
        r("aws:lambda/function:Function", { name: "f" }),
        r(
          "aws:rds/instance:Instance",
          { identifier: "db", enabledCloudwatchLogsExports: ["postgresql", "upgrade"] },
          { dependencies: [pg.urn] },
        ),
        r("aws:rds/instance:Instance", { enabledCloudwatchLogsExports: ["postgresql"] }),
        r("aws:eks/cluster:Cluster", { name: "c", enabledClusterLogTypes: ["api"] }),
      ]),
    ).toEqual(["dependsOn", "enabledCloudwatchLogsExports", "identifier", "enabledClusterLogTypes"]);
  });
});

describe("the plan states the account's Lambda quota (tricloud:functions.awsAccountConcurrency)", () => {
  it("a new account's quota makes the reservation an error naming the quota to ask for; the default 1,000 does not", async () => {
    const low = await planStack("dev", ["tricloud:functions.awsAccountConcurrency=50"]);
    const found = low.preflight.filter((f) => f.rule === "preflight-aws-lambda-reserved-concurrency");
    expect(found.map((f) => [f.level, f.value])).toEqual([["error", 20]]);
    expect(found[0]!.expected).toContain("raise the quota to at least 120");
    expect((low.prerequisites ?? []).find((p) => p.what.includes("L-B99A9384"))!.what).toContain(
      "this plan assumes 50",
    );
  });

  it("prices Auto Mode's nodes by usage (EC2 and the management fee), beside the node-group floor", async () => {
    const plan = await planStack("dev");
    const lines = plan.cost.lines.filter((l) => l.name.startsWith("EKS Auto Mode"));
    expect(lines.map((l) => [l.priceId, l.basis, l.monthlyUsd])).toEqual([
      ["aws.ec2.m6i.large", "usage", null],
      ["aws.eks.auto-mode.m6i.large", "usage", null],
    ]);
    expect(plan.cost.lines.some((l) => l.resourceType === "aws:eks/nodeGroup:NodeGroup" && l.basis === "fixed")).toBe(
      true,
    );
  });
});

describe.each(["dev", "prod"])("the %s plan and the AWS rules", (stack) => {
  it("has no AWS preflight errors, and lists the AWS prerequisites", async () => {
    const plan = await planStack(stack);
    const names = new Set(awsRules.map((x) => x.name));
    expect(plan.preflight.filter((f) => names.has(f.rule))).toEqual([]);
    expect((plan.prerequisites ?? []).filter((p) => p.cloud === "aws").map((p) => p.what.split(" (")[0])).toEqual([
      'Lambda "Concurrent executions" quota',
      'EC2 "Running On-Demand Standard',
      "the environment tag activated as a user-defined cost allocation tag",
    ]);
  });

  it("#13 fixes hold: rounded function log retention, Lambda after its policy, add-on after the nodes, RDS log groups first, deletable dev secrets", async () => {
    const plan = await planStack(stack);
    const fn = oneOfType(plan, "aws:lambda/function:Function");
    const fnLogs = ofType(plan, "aws:cloudwatch/logGroup:LogGroup").find(
      (g) => input(g, "name") === `/aws/lambda/${input(fn, "name")}`,
    )!;
    expect(CLOUDWATCH_RETENTION_DAYS).toContain(input(fnLogs, "retentionInDays"));
    expect(fn.dependencies).toContain(oneOfType(plan, "aws:iam/rolePolicy:RolePolicy", "-fn-policy").urn);
    expect(oneOfType(plan, "aws:eks/addon:Addon", "-obs-insights").dependencies).toContain(
      oneOfType(plan, "aws:eks/nodeGroup:NodeGroup").urn,
    );
    const db = oneOfType(plan, "aws:rds/instance:Instance");
    const rdsGroups = ofType(plan, "aws:cloudwatch/logGroup:LogGroup").filter((g) =>
      String(input(g, "name")).startsWith(`/aws/rds/instance/${input(db, "identifier")}/`),
    );
    expect(rdsGroups.map((g) => input(g, "name"))).toEqual(
      ["postgresql", "upgrade"].map((k) => `/aws/rds/instance/${input(db, "identifier")}/${k}`),
    );
    for (const g of rdsGroups) expect(db.dependencies).toContain(g.urn);
    const windows = ofType(plan, "aws:secretsmanager/secret:Secret").map((s) => input(s, "recoveryWindowInDays"));
    expect(new Set(windows)).toEqual(new Set([stack === "prod" ? 30 : 0]));
  });

  it("#13.4: EKS Auto Mode scales above the node group floor, with the IAM it needs", async () => {
    const plan = await planStack(stack);
    const eks = oneOfType(plan, "aws:eks/cluster:Cluster");
    expect(input(eks, "computeConfig")).toMatchObject({ enabled: true, nodePools: ["system"] });
    expect(input(eks, "storageConfig")).toEqual({ blockStorage: { enabled: true } });
    expect(input(eks, "kubernetesNetworkConfig")).toEqual({ elasticLoadBalancing: { enabled: true } });
    expect(input(eks, "bootstrapSelfManagedAddons")).toBe(false);
    const addons = ofType(plan, "aws:eks/addon:Addon").map((a) => input(a, "addonName"));
    expect(addons).toEqual(
      expect.arrayContaining(["vpc-cni", "kube-proxy", "coredns", "amazon-cloudwatch-observability"]),
    );
    const agent = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").map((a) =>
      String(input(a, "policyArn")).split("/").pop(),
    );
    expect(agent.filter((p) => p === "AWSXrayWriteOnlyAccess")).toHaveLength(2);
  });
});

describe("preflight-aws-rds-proxy-login-first", () => {
  const name = "preflight-aws-rds-proxy-login-first";
  const role = r("aws:iam/role:Role", {});
  const secret = r("aws:secretsmanager/secret:Secret", {});
  const value = r("aws:secretsmanager/secretVersion:SecretVersion", {}, { dependencies: [secret.urn] });
  const grant = r(
    "aws:iam/rolePolicy:RolePolicy",
    {
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn"] }],
      }),
    },
    { dependencies: [role.urn] },
  );
  const proxy = (dependencies: string[]) => r("aws:rds/proxy:Proxy", { engineFamily: "POSTGRESQL" }, { dependencies });

  it("takes a proxy that waits for its login's value and for the grant to read it", () => {
    expect(findings(name, [role, secret, value, grant, proxy([role.urn, secret.urn, value.urn, grant.urn])])).toEqual(
      [],
    );
  });
  it("names what a proxy that only references its role and secret should wait for", () => {
    const racing = proxy([role.urn, secret.urn]);
    expect(findings(name, [role, secret, value, grant, racing])).toMatchObject([
      { urn: racing.urn, level: "warning", property: "dependsOn", value: value.name },
      { urn: racing.urn, level: "warning", property: "dependsOn", value: grant.name },
    ]);
  });
  it("the prod plan's proxy waits for both", async () => {
    const plan = await planStack("prod");
    expect(ofType(plan, "aws:rds/proxy:Proxy")).toHaveLength(1);
    expect(plan.preflight.filter((f) => f.rule === name)).toEqual([]);
  });
});
