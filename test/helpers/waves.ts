/**
 * Argo CD's sync wave of each chart's Application on prod's EKS cluster (components/workloads/order.ts), as both the
 * program's rendering (test/workloads/mesh.test.ts) and the plan's output (test/workloads/order.test.ts) must give it.
 */
export const PROD_EKS_APPLICATION_WAVES: Readonly<Record<string, string>> = {
  "external-secrets": "0",
  "istio-base": "0",
  "istio-cni": "1",
  istiod: "3",
  "istio-eastwestgateway": "4",
  "argo-rollouts": "4",
  prometheus: "4",
};
