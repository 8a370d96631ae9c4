import { MACHINE_SPECS, nodeMachine, type Cloud, type Size } from "./sizes";

/**
 * What one node of a size class offers the pods: its machine less what the kubelet reserves (kube-reserved and the
 * hard eviction threshold), as each cloud computes it for the nodes the program creates. A pod whose requests exceed
 * this is never scheduled, however many nodes the autoscaler may add. Memory is taken at the machine's nominal size
 * (the kernel keeps a little more), and the system DaemonSets' requests come on top, so a pod that fits here is not
 * yet sure to be scheduled; one that does not fit never is.
 *
 * - EKS (managed node group on AL2023, and Auto Mode, built on Karpenter): CPU 6% of the first core, 1% of the second,
 *   0.5% of the third and fourth, 0.25% above (awslabs/amazon-eks-ami, nodeadm/internal/kubelet/config.go,
 *   getCPUMillicoresToReserve; aws/karpenter-provider-aws, pkg/providers/instancetype/types.go, kubeReservedResources);
 *   memory 11 MiB per pod + 255 MiB, and 100 MiB eviction. Pods: 110, Kubernetes' default ceiling, because Auto Mode
 *   assigns prefixes (https://docs.aws.amazon.com/eks/latest/userguide/auto-networking.html), which lifts the ENI
 *   limit the node group's pod count (17 on t3.medium) comes from: its nodes reserve the most, and the pool's extra
 *   nodes are Auto Mode's.
 * - AKS (Kubernetes 1.29 and later): the kube-reserved CPU table by core count, and memory the smaller of
 *   20 MB per pod + 50 MB and 25% of the machine, plus 100 Mi eviction
 *   (https://learn.microsoft.com/en-us/azure/aks/node-resource-reservations); pods: 30, the Azure CNI (node subnet)
 *   default, as components/azure/cluster.ts sets `networkPlugin: azure` and no maxPods.
 * - GKE: CPU as on EKS, except that shared-core E2 machines (e2-micro, e2-small, e2-medium) reserve 1060m in all;
 *   memory 25% of the first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112, 2% above, and 100 MiB
 *   eviction (https://cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes, "Resource reservations").
 *
 * Read 2026-11-30. Written here, not taken from a library: no package publishes the three clouds' reservations.
 */

export interface NodeAllocatable {
  /** The machine of the size class on the cloud. */
  readonly machine: string;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

/** Kubelet's hard eviction threshold `memory.available<100Mi` on all three clouds. */
const EVICTION_MIB = 100;

/** Share of each CPU range (in basis points) reserved for the kubelet, as EKS and GKE compute it. */
const CPU_TIERS: readonly (readonly [upToMillis: number, basisPoints: number])[] = [
  [1000, 600],
  [2000, 100],
  [4000, 50],
  [Infinity, 25],
];

function tieredCpuReserve(millis: number): number {
  let reserved = 0;
  let from = 0;
  for (const [to, bp] of CPU_TIERS) {
    if (millis > from) reserved += ((Math.min(millis, to) - from) * bp) / 10_000;
    from = to;
  }
  return Math.round(reserved);
}

/** EKS: nodeadm's (and Karpenter's) memory reserve for a node of `maxPods` pods. */
const EKS_MAX_PODS = 110;
const eksMemoryReserve = (maxPods: number) => 11 * maxPods + 255;

/** AKS: kube-reserved millicores by the host's cores, as the AKS table lists them. */
const AKS_CPU_RESERVE: Readonly<Record<number, number>> = { 1: 60, 2: 100, 4: 140, 8: 180, 16: 260, 32: 420, 64: 740 };
const AKS_MAX_PODS = 30;
const aksMemoryReserve = (memoryMiB: number, maxPods: number) => Math.min(20 * maxPods + 50, memoryMiB * 0.25);

/** GKE: the shared-core E2 machines, which reserve 1060m whatever their vCPUs. */
const GKE_SHARED_CORE = new Set(["e2-micro", "e2-small", "e2-medium"]);
const GKE_SHARED_CORE_CPU_RESERVE = 1060;
const GKE_MEMORY_TIERS: readonly (readonly [upToMiB: number, share: number])[] = [
  [4 * 1024, 0.25],
  [8 * 1024, 0.2],
  [16 * 1024, 0.1],
  [128 * 1024, 0.06],
  [Infinity, 0.02],
];

function gkeMemoryReserve(memoryMiB: number): number {
  if (memoryMiB < 1024) return 255;
  let reserved = 0;
  let from = 0;
  for (const [to, share] of GKE_MEMORY_TIERS) {
    if (memoryMiB > from) reserved += (Math.min(memoryMiB, to) - from) * share;
    from = to;
  }
  return reserved;
}

/** CPU (millicores) and memory (MiB) the kubelet keeps from pods on one node of this machine. */
function reserved(cloud: Cloud, machine: string, cpuMillis: number, memoryMiB: number) {
  switch (cloud) {
    case "aws":
      return { cpu: tieredCpuReserve(cpuMillis), memory: eksMemoryReserve(EKS_MAX_PODS) + EVICTION_MIB };
    case "azure": {
      const cpu = AKS_CPU_RESERVE[cpuMillis / 1000];
      if (cpu === undefined)
        throw new Error(`${machine}: no AKS kube-reserved CPU listed for ${cpuMillis / 1000} cores`);
      return { cpu, memory: aksMemoryReserve(memoryMiB, AKS_MAX_PODS) + EVICTION_MIB };
    }
    case "gcp":
      return {
        cpu: GKE_SHARED_CORE.has(machine) ? GKE_SHARED_CORE_CPU_RESERVE : tieredCpuReserve(cpuMillis),
        memory: gkeMemoryReserve(memoryMiB) + EVICTION_MIB,
      };
  }
}

/** What one node of a machine on `cloud` can allocate to pods (whole millicores and MiB, rounded down). */
export function machineAllocatable(cloud: Cloud, machine: string): NodeAllocatable {
  const spec = MACHINE_SPECS[machine];
  if (!spec) throw new Error(`unknown machine ${machine}: not in vocabulary/sizes.ts MACHINE_SPECS`);
  const cpuMillis = spec.vcpus * 1000;
  const memoryMiB = spec.memoryGiB * 1024;
  const r = reserved(cloud, machine, cpuMillis, memoryMiB);
  return { machine, cpuMillis: Math.floor(cpuMillis - r.cpu), memoryMiB: Math.floor(memoryMiB - r.memory) };
}

/** What one node of `size` on `cloud` can allocate to pods. */
export function nodeAllocatable(cloud: Cloud, size: Size): NodeAllocatable {
  return machineAllocatable(cloud, nodeMachine(cloud, size));
}
