import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { formatIpv4, parseCidr } from "../../components/shared/cidr";
import { isKnownZone } from "../../components/gcp/zones";
import { awsZone, awsZonesOfRegion } from "../../components/aws/zones";

/**
 * Outputs the offline plan's mocks return for each resource: the inputs plus
 * the identifiers a real provider would add (ids, ARNs, names, endpoints),
 * derived deterministically from the inputs so references between resources
 * resolve and two runs print the same plan.
 */
export interface MockContext {
  /**
   * Primary ranges of the GCP subnetworks mocked so far, by id: a GKE private endpoint is an address of
   * the cluster's node subnet (no masterIpv4CidrBlock), so its mock answers one from there.
   */
  readonly gcpSubnetRanges?: Map<string, string>;
  /**
   * Ranges reserved for private services access (GlobalAddress, purpose VPC_PEERING), by network id: Cloud SQL's
   * private address "will be created in the allocated range", so its mock answers one from there.
   */
  readonly gcpPeeringRanges?: Map<string, string>;
  /**
   * The AKS clusters mocked so far, by `<resource group>/<cluster name>`: what their API server's names are derived
   * from, so the user credentials' kubeconfig (listManagedClusterUserCredentials) names the server the cluster does.
   */
  readonly aksClusters?: Map<
    string,
    { readonly dnsPrefix: string; readonly location: string; readonly private: boolean }
  >;
  readonly project: string;
  readonly stack: string;
  readonly awsRegion: string;
  readonly azureLocation: string;
  readonly gcpProject: string;
  readonly gcpRegion: string;
}

export const AWS_ACCOUNT = "123456789012";
export const AZURE_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
export const AZURE_TENANT = "11111111-1111-1111-1111-111111111111";

export function shortHash(text: string, length = 7): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

type Inputs = Record<string, unknown>;
type Extra = (name: string, inputs: Inputs, ctx: MockContext, id: string) => Inputs;

/**
 * The outputs whose *form* the program relies on (it parses them, builds URLs or
 * hostnames from them, or hands them to another cloud), each modelled on the page
 * that documents it. A mock that gives a form the cloud never returns would let a
 * wrong program pass: change the entry and its page together.
 */
export const MODELLED_OUTPUTS: Readonly<
  Record<string, { readonly outputs: readonly string[]; readonly form: string; readonly page: string }>
> = {
  "aws:lambda/functionUrl:FunctionUrl": {
    outputs: ["functionUrl"],
    form: "https://<url-id>.lambda-url.<region>.on.aws/",
    page: "https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html",
  },
  "aws:eks/cluster:Cluster": {
    outputs: ["endpoint", "identities[0].oidcs[0].issuer"],
    form: "https://<id>.gr7.<region>.eks.amazonaws.com; https://oidc.eks.<region>.amazonaws.com/id/<id>",
    page: "https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html",
  },
  "aws:rds/instance:Instance": {
    outputs: ["address", "endpoint"],
    form: "<identifier>.<hash>.<region>.rds.amazonaws.com[:5432]",
    page: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ConnectToInstance.html",
  },
  "aws:rds/proxy:Proxy": {
    outputs: ["endpoint"],
    form: "<name>.proxy-<hash>.<region>.rds.amazonaws.com",
    page: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html",
  },
  "aws:ecr/repository:Repository": {
    outputs: ["repositoryUrl"],
    form: "<account>.dkr.ecr.<region>.amazonaws.com/<name>",
    page: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html",
  },
  "azure-native:web:WebApp": {
    outputs: ["defaultHostName"],
    form: "<app>.azurewebsites.net (no unique-hostname scope is requested)",
    page: "https://learn.microsoft.com/en-us/azure/app-service/app-service-web-tutorial-custom-domain",
  },
  "azure-native:dbforpostgresql:Server": {
    outputs: ["fullyQualifiedDomainName"],
    form: "<server>.postgres.database.azure.com",
    page: "https://learn.microsoft.com/en-us/azure/postgresql/flexible-server/quickstart-create-server",
  },
  "azure-native:keyvault:Vault": {
    outputs: ["properties.vaultUri"],
    form: "https://<vault>.vault.azure.net/",
    page: "https://learn.microsoft.com/en-us/azure/key-vault/general/about-keys-secrets-certificates",
  },
  "azure-native:storage:StorageAccount": {
    outputs: ["primaryEndpoints.blob"],
    form: "https://<account>.blob.core.windows.net/",
    page: "https://learn.microsoft.com/en-us/azure/storage/common/storage-account-overview#standard-endpoints",
  },
  "azure-native:containerregistry:Registry": {
    outputs: ["loginServer"],
    form: "<registry>.azurecr.io",
    page: "https://learn.microsoft.com/en-us/azure/container-registry/container-registry-get-started-portal",
  },
  "gcp:cloudfunctionsv2/function:Function": {
    outputs: ["url", "serviceConfig.uri"],
    form: "https://<region>-<project>.cloudfunctions.net/<name>; https://<name>-<hash>-<region code>.a.run.app",
    page: "https://cloud.google.com/run/docs/triggering/https-request",
  },
  "gcp:serviceaccount/account:Account": {
    outputs: ["email"],
    form: "<account id>@<project>.iam.gserviceaccount.com",
    page: "https://cloud.google.com/iam/docs/service-account-overview",
  },
  "azure-native:network:PublicIPAddress": {
    outputs: ["ipAddress"],
    form: "a dotted IPv4 address Azure allocates to a Static Standard address at creation",
    page: "https://learn.microsoft.com/en-us/azure/virtual-network/ip-services/public-ip-addresses",
  },
  "aws:ec2/vpnConnection:VpnConnection": {
    outputs: ["tunnel1Address", "tunnel2Address", "tunnel1VgwInsideAddress", "tunnel1CgwInsideAddress"],
    form: "two public IPv4 outside addresses (one per tunnel endpoint); inside, AWS the first and the customer the second address of each /30",
    page: "https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html",
  },
  "gcp:compute/haVpnGateway:HaVpnGateway": {
    outputs: ["vpnInterfaces[0].ipAddress", "vpnInterfaces[1].ipAddress"],
    form: "[{ id: 0, ipAddress }, { id: 1, ipAddress }]: two interfaces, each with its own external IPv4 address",
    page: "https://cloud.google.com/network-connectivity/docs/vpn/concepts/topologies",
  },
  "gcp:container/cluster:Cluster": {
    outputs: ["privateClusterConfig.privateEndpoint", "endpoint"],
    form: "the control plane's internal IPv4 address; `endpoint` is it only when the public endpoint is off (enablePrivateEndpoint), else the public address (privateClusterConfig.publicEndpoint)",
    page: "https://cloud.google.com/kubernetes-engine/docs/how-to/latest/network-isolation",
  },
  "azure-native:containerservice:ManagedCluster": {
    outputs: ["fqdn", "privateFQDN"],
    form: "<dnsPrefix>-<8 hex>.hcp.<location>.azmk8s.io; a private cluster's <dnsPrefix>-<8 hex>.<guid>.privatelink.<location>.azmk8s.io (system private DNS zone), the server of its user kubeconfig",
    page: "https://learn.microsoft.com/en-us/azure/aks/private-clusters",
  },
  "gcp:sql/databaseInstance:DatabaseInstance": {
    outputs: ["connectionName"],
    form: "<project>:<region>:<instance>",
    page: "https://cloud.google.com/sql/docs/postgres/connect-auth-proxy",
  },
};

/** Per-type outputs beyond the generic ones. Add an entry when a new resource type needs one. */
export const TYPE_OUTPUTS: Record<string, Extra> = {
  // EC2 describes a subnet with both its zone's code and its AZ ID, whichever of the two created it (CreateSubnet takes
  // either; https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html). The mock account pairs them as a
  // uniformly mapped Region does (AZ ID number n has the n-th letter: use2-az1 is us-east-2a, components/aws/zones.ts);
  // an account in an independently mapped Region may pair them otherwise.
  "aws:ec2/subnet:Subnet": (_n, inputs, ctx) => {
    const region = String(inputs.region ?? ctx.awsRegion);
    if (typeof inputs.availabilityZoneId === "string" && /-az\d+$/.test(inputs.availabilityZoneId))
      return { availabilityZone: awsZone(region, inputs.availabilityZoneId).label };
    if (typeof inputs.availabilityZone === "string") {
      const id = awsZonesOfRegion(region)?.find((z) => z.label === inputs.availabilityZone)?.id;
      return id === undefined ? {} : { availabilityZoneId: id };
    }
    return {};
  },
  "aws:ec2/eip:Eip": (name) => ({ publicIp: `203.0.113.${parseInt(shortHash(name, 2), 16) % 250}` }),
  // The cross-cloud VPN (components/{aws,azure,gcp}/vpn.ts): the public addresses each side hands the others, from
  // the documentation ranges (RFC 5737) so a plan never shows a real address.
  "azure-native:network:PublicIPAddress": (name) => ({ ipAddress: `198.51.100.${octet(name)}` }),
  "gcp:compute/haVpnGateway:HaVpnGateway": (name) => ({
    vpnInterfaces: [0, 1].map((id) => ({ id, ipAddress: `192.0.2.${octet(`${name}-${id}`)}` })),
  }),
  "aws:ec2/vpnConnection:VpnConnection": (name, inputs) => {
    const host = (cidr: unknown, n: number) => {
      // Without a configured range AWS picks a /30 of 169.254.0.0/16 outside the few it reserves
      // (169.254.0.0/30 to 169.254.5.0/30 and 169.254.169.252/30: EC2 VpnTunnelOptionsSpecification).
      const [a, b, c, d] = String(cidr ?? "169.254.100.0/30")
        .split("/")[0]!
        .split(".")
        .map(Number);
      return `${a}.${b}.${c}.${d! + n}`;
    };
    return {
      tunnel1Address: `203.0.113.${octet(`${name}-1`)}`,
      tunnel2Address: `203.0.113.${octet(`${name}-2`)}`,
      tunnel1VgwInsideAddress: host(inputs.tunnel1InsideCidr, 1),
      tunnel1CgwInsideAddress: host(inputs.tunnel1InsideCidr, 2),
      tunnel2VgwInsideAddress: host(inputs.tunnel2InsideCidr, 1),
      tunnel2CgwInsideAddress: host(inputs.tunnel2InsideCidr, 2),
    };
  },
  "gcp:compute/globalAddress:GlobalAddress": (name, inputs) => ({ address: inputs.address ?? "10.255.0.0" }),
  // Clusters, databases and registries (components/<cloud>/{cluster,database,registry}.ts).
  "aws:eks/cluster:Cluster": (name, inputs, ctx) => ({
    endpoint: `https://${shortHash(name, 32).toUpperCase()}.gr7.${ctx.awsRegion}.eks.amazonaws.com`,
    certificateAuthority: { data: Buffer.from(`mock CA of ${name}`).toString("base64") },
    identities: [
      {
        oidcs: [{ issuer: `https://oidc.eks.${ctx.awsRegion}.amazonaws.com/id/${shortHash(name, 32).toUpperCase()}` }],
      },
    ],
    vpcConfig: {
      ...(inputs.vpcConfig as Inputs),
      clusterSecurityGroupId: `sg-${shortHash(`cluster-sg::${name}`, 17)}`,
    },
  }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (_n, inputs) => ({
    arn: `arn:aws:iam::${AWS_ACCOUNT}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`,
  }),
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1 }),
  // The identifier is the one given (RDS keeps it in lowercase), else Pulumi's autoname (the ARN's, awsIdentity); the
  // address starts with it: <identifier>.<12 characters>.<region>.rds.amazonaws.com, the port after it in `endpoint`.
  "aws:rds/instance:Instance": (name, inputs, ctx) => {
    const identifier = String(inputs.identifier ?? `${name}-${shortHash(name)}`).toLowerCase();
    const address = `${identifier}.c${shortHash(name, 11)}.${String(inputs.region ?? ctx.awsRegion)}.rds.amazonaws.com`;
    return { address, endpoint: `${address}:${Number(inputs.port ?? 5432)}`, identifier };
  },
  "aws:ecr/repository:Repository": (_n, inputs, ctx) => ({
    repositoryUrl: `${AWS_ACCOUNT}.dkr.ecr.${ctx.awsRegion}.amazonaws.com/${inputs.name}`,
  }),
  // pulumi-command's outputs after a run: what the command printed (the upload prints nothing on success).
  "command:local:Command": () => ({ stdout: "", stderr: "" }),
  "random:index/randomPassword:RandomPassword": (name) => ({ result: `mock-password-${shortHash(name, 24)}` }),
  "random:index/randomString:RandomString": (name, inputs) => ({ result: shortHash(name, Number(inputs.length ?? 8)) }),
  "azure-native:managedidentity:UserAssignedIdentity": (name) => ({
    principalId: mockGuid(`principal::${name}`),
    clientId: mockGuid(`client::${name}`),
  }),
  // The API server's names (aksApiServer): a private cluster has a private FQDN besides the public one, a public
  // cluster none.
  "azure-native:containerservice:ManagedCluster": (name, inputs, ctx, id) => {
    const cluster = id.split("/").pop()!;
    const server = aksApiServer(cluster, aksNaming(inputs, ctx, cluster));
    const isPrivate = (inputs.apiServerAccessProfile as Inputs | undefined)?.enablePrivateCluster === true;
    return {
      fqdn: server.fqdn,
      ...(isPrivate ? { privateFQDN: server.privateFQDN } : {}),
      identityProfile: {
        kubeletidentity: { objectId: mockGuid(`kubelet::${name}`), clientId: mockGuid(`kubelet-client::${name}`) },
      },
      oidcIssuerProfile: {
        enabled: true,
        issuerURL: `https://${ctx.azureLocation}.oic.prod-aks.azure.com/${AZURE_TENANT}/${mockGuid(name)}/`,
      },
    };
  },
  // <server name>.postgres.database.azure.com: the name given (serverName), else the autoname (azureIdentity's).
  "azure-native:dbforpostgresql:Server": (name, inputs) => ({
    fullyQualifiedDomainName: `${String(inputs.serverName ?? `${name}${shortHash(name, 6)}`)}.postgres.database.azure.com`,
  }),
  "azure-native:containerregistry:Registry": (name, inputs) => ({
    loginServer: `${inputs.registryName ?? name}.azurecr.io`,
  }),
  // `name` is "the fully-qualified name of the service account" (projects/<project>/serviceAccounts/<email>), the
  // form serviceaccount.IAMMember's serviceAccountId takes; the id is the same string (GCP_IDS).
  "gcp:serviceaccount/account:Account": (_n, inputs, ctx) => {
    const project = inputs.project ?? ctx.gcpProject;
    const email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
    return { email, name: `projects/${project}/serviceAccounts/${email}` };
  },
  // `endpoint` is the private endpoint only when the public one is off (privateClusterConfig.enablePrivateEndpoint);
  // otherwise the public address (privateClusterConfig.publicEndpoint, from the documentation range RFC 5737).
  "gcp:container/cluster:Cluster": (name, inputs, ctx) => {
    const config = inputs.privateClusterConfig as Inputs | undefined;
    const privateEndpoint = gkePrivateEndpoint(name, ctx.gcpSubnetRanges?.get(String(inputs.subnetwork)));
    const publicEndpoint = `203.0.113.${octet(`gke-public::${name}`)}`;
    return {
      endpoint: config?.enablePrivateEndpoint === true ? privateEndpoint : publicEndpoint,
      privateClusterConfig: { ...config, privateEndpoint, publicEndpoint },
      masterAuth: { clusterCaCertificate: Buffer.from(`mock CA of ${name}`).toString("base64") },
    };
  },
  // A fleet membership's location defaults to "global" (terraform-provider-google, resource_gke_hub_membership.go:
  // `Default: "global"`), and its `name` is the API's full name, which the provider keeps as is
  // (flattenGKEHubMembershipName): projects/<project>/locations/<location>/memberships/<membership id>, the id's form.
  "gcp:gkehub/membership:Membership": (_n, inputs, _c, id) => ({ location: inputs.location ?? "global", name: id }),
  "gcp:sql/databaseInstance:DatabaseInstance": (name, inputs, ctx) => ({
    // An address of the range reserved for private services on the instance's network (Cloud SQL Admin API,
    // IpConfiguration: "will be created in the allocated range"); 10.0.0.0/8 when no mock reserved one.
    privateIpAddress: addressIn(
      name,
      ctx.gcpPeeringRanges?.get(
        String(
          (inputs.settings as { ipConfiguration?: { privateNetwork?: string } } | undefined)?.ipConfiguration
            ?.privateNetwork,
        ),
      ),
    ),
    // <project>:<region>:<instance name>: the instance's own name (the mock's `name`), not the program's logical name.
    connectionName: `${inputs.project ?? ctx.gcpProject}:${inputs.region ?? ctx.gcpRegion}:${gcpName(name, inputs)}`,
    serverCaCerts: [
      {
        cert: mockCertificate(`Cloud SQL server CA of ${name}`),
        commonName: `C=US,O=Google\\, Inc,CN=Google Cloud SQL Server CA`,
      },
    ],
  }),
  // Function hosts (components/<cloud>/function-host.ts) and the quorum keys (components/shared/keys.ts).
  "tls:index/privateKey:PrivateKey": (name) => mockEd25519(name),
  // The mesh CA (components/shared/mesh-ca.ts): the provider returns the PEM it issued.
  "tls:index/selfSignedCert:SelfSignedCert": (name) => ({ certPem: mockCertificate(`self-signed ${name}`) }),
  "tls:index/certRequest:CertRequest": (name) => ({
    certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from(`request ${name}`).toString("base64")}\n-----END CERTIFICATE REQUEST-----\n`,
  }),
  "tls:index/locallySignedCert:LocallySignedCert": (name) => ({ certPem: mockCertificate(`signed ${name}`) }),
  "aws:lambda/functionUrl:FunctionUrl": (name, _i, ctx) => ({
    functionUrl: `https://${shortHash(name, 32)}.lambda-url.${ctx.awsRegion}.on.aws/`,
    urlId: shortHash(name, 32),
  }),
  // A proxy has one target group, AWS's own, named `default` (AWS::RDS::DBProxyTargetGroup's TargetGroupName takes
  // only "default": https://www.pulumi.com/registry/packages/aws-native/api-docs/rds/dbproxytargetgroup).
  "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": () => ({ name: "default" }),
  "aws:rds/proxy:Proxy": (name, inputs, ctx) => ({
    endpoint: `${inputs.name ?? name}.proxy-c${shortHash(name, 11)}.${ctx.awsRegion}.rds.amazonaws.com`,
  }),
  "azure-native:web:WebApp": (name, inputs) => ({ defaultHostName: `${inputs.name ?? name}.azurewebsites.net` }),
  "azure-native:storage:StorageAccount": (name, inputs) => ({
    primaryEndpoints: { blob: `https://${inputs.accountName ?? name}.blob.core.windows.net/` },
  }),
  "azure-native:keyvault:Vault": (name, inputs) => ({
    properties: { ...(inputs.properties as Inputs), vaultUri: `https://${inputs.vaultName ?? name}.vault.azure.net/` },
  }),
  "gcp:secretmanager/secretVersion:SecretVersion": () => ({ version: "1" }),
  // A 2nd gen function has two URLs (https://cloud.google.com/functions/docs/calling/http, "Cloud Run functions URLs";
  // https://cloud.google.com/run/docs/triggering/https-request, "run.app URLs"): `url` is the cloudfunctions.net form,
  // which needs the function's name as its path; `serviceConfig.uri` is the Cloud Run service's own run.app host.
  "gcp:cloudfunctionsv2/function:Function": (name, inputs, ctx) => {
    const fn = String(inputs.name ?? name);
    const region = String(inputs.location ?? ctx.gcpRegion);
    return {
      url: `https://${region}-${inputs.project ?? ctx.gcpProject}.cloudfunctions.net/${fn}`,
      serviceConfig: {
        ...(inputs.serviceConfig as Inputs),
        // The Cloud Run service's full resource name, as the API returns it.
        service: `projects/${String(inputs.project ?? ctx.gcpProject)}/locations/${region}/services/${fn}`,
        uri: `https://${fn}-${shortHash(name, 10)}-${runRegionCode(region)}.a.run.app`,
      },
      state: "ACTIVE",
      environment: "GEN_2",
      location: region,
    };
  },
  // Observability (components/<cloud>/observability.ts). AWS v7 resources may name their own region.
  "aws:sns/topic:Topic": (_n, inputs, ctx) => ({
    arn: `arn:aws:sns:${inputs.region ?? ctx.awsRegion}:${AWS_ACCOUNT}:${inputs.name}`,
  }),
  // Their `name` is their id (GCP_IDS), the part after the last slash the service-assigned id.
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": (_n, _i, _c, id) => ({
    uptimeCheckId: id.split("/").pop(),
    name: id,
  }),
  "gcp:monitoring/notificationChannel:NotificationChannel": (_n, _i, _c, id) => ({ name: id }),
  "gcp:monitoring/alertPolicy:AlertPolicy": (_n, _i, _c, id) => ({ name: id }),
  "azure-native:applicationinsights:Component": (name) => ({
    connectionString: `InstrumentationKey=${mockGuid(name)};IngestionEndpoint=https://eastus-8.in.applicationinsights.azure.com/`,
  }),
};

/**
 * A real Ed25519 pair derived from the resource name (PKCS#8 = a fixed prefix + 32 seed bytes),
 * so what the program does with the PEMs is checked on parseable keys, and tests can look for
 * the private key's text in the report.
 */
function mockEd25519(name: string): Inputs {
  const seed = createHash("sha256").update(`mock ed25519 ${name}`).digest();
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return {
    privateKeyPem: privatePem,
    privateKeyPemPkcs8: privatePem,
    publicKeyPem: createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString(),
    publicKeyOpenssh: "",
    privateKeyOpenssh: "",
  };
}

/** A PEM-shaped certificate block (not parseable as X.509; only passed through). */
function mockCertificate(label: string): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(label).toString("base64")}\n-----END CERTIFICATE-----\n`;
}

/** A host octet (1-254) derived from a name. */
function octet(seed: string): number {
  return (parseInt(shortHash(seed, 4), 16) % 254) + 1;
}

/** A GUID-shaped id derived from a seed (Azure principal and client ids). */
function mockGuid(seed: string): string {
  const h = shortHash(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** What an AKS cluster's API server names are derived from: its DNS prefix (its name without one) and location. */
function aksNaming(inputs: Inputs, ctx: MockContext, clusterName: string): { dnsPrefix: string; location: string } {
  return {
    dnsPrefix: String(inputs.dnsPrefix ?? clusterName),
    location: String(inputs.location ?? ctx.azureLocation),
  };
}

/**
 * An AKS cluster's API server names, from its name (the ARM resource's own name), DNS prefix and location: the public
 * FQDN `<dnsPrefix>-<8 hex>.hcp.<location>.azmk8s.io`, and a private cluster's (system private DNS zone)
 * `<dnsPrefix>-<8 hex>.<guid>.privatelink.<location>.azmk8s.io`, the GUID its own subzone
 * (https://learn.microsoft.com/en-us/azure/aks/private-clusters; kubeconfigs in the wild read
 * `scalar-k8s-c1eae570.fdc2c430-cd60-4952-b269-28d1c1583ca7.privatelink.eastus.azmk8s.io`). The cluster's mock and
 * its user credentials' kubeconfig both take them from here.
 */
export function aksApiServer(
  clusterName: string,
  naming: { readonly dnsPrefix: string; readonly location: string },
): { fqdn: string; privateFQDN: string } {
  const host = `${naming.dnsPrefix}-${shortHash(`aks-api::${clusterName}`, 8)}`;
  return {
    fqdn: `${host}.hcp.${naming.location}.azmk8s.io`,
    privateFQDN: `${host}.${mockGuid(`aks-private-dns::${clusterName}`)}.privatelink.${naming.location}.azmk8s.io`,
  };
}

/**
 * EC2 ids are `<prefix>-<17 hex digits>` (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html),
 * with the type's name in its ARN (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
 */
const EC2_IDS: Record<string, { prefix: string; arnType: string }> = {
  "aws:ec2/vpc:Vpc": { prefix: "vpc", arnType: "vpc" },
  "aws:ec2/subnet:Subnet": { prefix: "subnet", arnType: "subnet" },
  "aws:ec2/securityGroup:SecurityGroup": { prefix: "sg", arnType: "security-group" },
  "aws:ec2/routeTable:RouteTable": { prefix: "rtb", arnType: "route-table" },
  "aws:ec2/routeTableAssociation:RouteTableAssociation": { prefix: "rtbassoc", arnType: "route-table" },
  "aws:ec2/internetGateway:InternetGateway": { prefix: "igw", arnType: "internet-gateway" },
  "aws:ec2/natGateway:NatGateway": { prefix: "nat", arnType: "natgateway" },
  "aws:ec2/eip:Eip": { prefix: "eipalloc", arnType: "elastic-ip" },
  "aws:ec2/customerGateway:CustomerGateway": { prefix: "cgw", arnType: "customer-gateway" },
  "aws:ec2/vpnGateway:VpnGateway": { prefix: "vgw", arnType: "vpn-gateway" },
  "aws:ec2/vpnConnection:VpnConnection": { prefix: "vpn", arnType: "vpn-connection" },
  "aws:ec2/launchTemplate:LaunchTemplate": { prefix: "lt", arnType: "launch-template" },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": { prefix: "sgr", arnType: "security-group-rule" },
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": { prefix: "sgr", arnType: "security-group-rule" },
};

/** What an AWS resource's ARN and id are built from. */
interface AwsNames {
  readonly name: string;
  readonly region: string;
  readonly inputs: Inputs;
  readonly hash: (length: number) => string;
}

/**
 * ARNs (after `arn:aws:`) and ids of the AWS types whose form differs from an EC2 resource's, each as its service's
 * "Resource types" table (https://docs.aws.amazon.com/service-authorization/latest/reference/) and the provider's
 * "Attribute Reference" (registry.terraform.io/providers/hashicorp/aws, the `id` line) give them. A type not listed
 * is named like an EC2 resource of its own kind.
 */
const AWS_FORMS: Record<string, { arn: (n: AwsNames) => string; id: (n: AwsNames & { arn: string }) => string }> = {
  // IAM is global: no region in its ARNs. A role's id is its name.
  "aws:iam/role:Role": {
    arn: (n) => `iam::${AWS_ACCOUNT}:role${String(n.inputs.path ?? "/")}${n.name}`,
    id: (n) => n.name,
  },
  "aws:lambda/function:Function": {
    arn: (n) => `lambda:${n.region}:${AWS_ACCOUNT}:function:${n.name}`,
    id: (n) => n.name,
  },
  // The provider's `arn` of a log group has no trailing `:*`.
  "aws:cloudwatch/logGroup:LogGroup": {
    arn: (n) => `logs:${n.region}:${AWS_ACCOUNT}:log-group:${n.name}`,
    id: (n) => n.name,
  },
  "aws:cloudwatch/eventRule:EventRule": {
    arn: (n) => `events:${n.region}:${AWS_ACCOUNT}:rule/${n.name}`,
    id: (n) => n.name,
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    arn: (n) => `cloudwatch:${n.region}:${AWS_ACCOUNT}:alarm:${n.name}`,
    id: (n) => n.name,
  },
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": {
    arn: (n) => `cloudwatch:${n.region}:${AWS_ACCOUNT}:alarm:${n.name}`,
    id: (n) => n.name,
  },
  "aws:cloudwatch/dashboard:Dashboard": {
    arn: (n) => `cloudwatch::${AWS_ACCOUNT}:dashboard/${n.name}`,
    id: (n) => n.name,
  },
  // Secrets Manager appends a hyphen and six random characters to the name; the id is the ARN.
  "aws:secretsmanager/secret:Secret": {
    arn: (n) => `secretsmanager:${n.region}:${AWS_ACCOUNT}:secret:${n.name}-${n.hash(6)}`,
    id: (n) => n.arn,
  },
  "aws:sns/topic:Topic": { arn: (n) => `sns:${n.region}:${AWS_ACCOUNT}:${n.name}`, id: (n) => n.arn },
  "aws:kms/key:Key": {
    arn: (n) => `kms:${n.region}:${AWS_ACCOUNT}:key/${uuidOf(n.hash(32))}`,
    id: (n) => n.arn.split("/")[1]!,
  },
  // The instance's id is its resource id (db-...), its ARN names the identifier.
  "aws:rds/instance:Instance": {
    arn: (n) => `rds:${n.region}:${AWS_ACCOUNT}:db:${String(n.inputs.identifier ?? n.name)}`,
    id: (n) => `db-${n.hash(26).toUpperCase()}`,
  },
  "aws:rds/proxy:Proxy": {
    arn: (n) => `rds:${n.region}:${AWS_ACCOUNT}:db-proxy:prx-${n.hash(17)}`,
    id: (n) => n.name,
  },
  // The provider's id is the proxy's name; the ARN names the group by its own id.
  "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": {
    arn: (n) => `rds:${n.region}:${AWS_ACCOUNT}:target-group:prx-tg-${n.hash(17)}`,
    id: (n) => String(n.inputs.dbProxyName ?? n.name),
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    arn: (n) => `rds:${n.region}:${AWS_ACCOUNT}:subgrp:${n.name}`,
    id: (n) => n.name,
  },
  "aws:eks/cluster:Cluster": { arn: (n) => `eks:${n.region}:${AWS_ACCOUNT}:cluster/${n.name}`, id: (n) => n.name },
  "aws:ecr/repository:Repository": {
    arn: (n) => `ecr:${n.region}:${AWS_ACCOUNT}:repository/${n.name}`,
    id: (n) => n.name,
  },
  "aws:route53/healthCheck:HealthCheck": {
    arn: (n) => `route53:::healthcheck/${uuidOf(n.hash(32))}`,
    id: (n) => n.arn.split("/")[1]!,
  },
  "aws:budgets/budget:Budget": {
    arn: (n) => `budgets::${AWS_ACCOUNT}:budget/${n.name}`,
    id: (n) => `${AWS_ACCOUNT}:${n.name}`,
  },
};

/** AWS: the documented id and ARN of the type (AWS_FORMS, EC2_IDS), or an EC2-like pair for a type not listed. */
function awsIdentity(
  type: string,
  name: string,
  inputs: Inputs,
  ctx: MockContext,
): { id: string; arn: string; name: string } {
  // The input that names it (most types `name`; RDS `identifier`, composite alarms `alarmName`, dashboards
  // `dashboardName`), or Pulumi's autoname: the logical name, a hyphen and seven random characters.
  const own = String(
    inputs.name ?? inputs.identifier ?? inputs.alarmName ?? inputs.dashboardName ?? `${name}-${shortHash(name)}`,
  );
  const names = {
    name: own,
    region: String(inputs.region ?? ctx.awsRegion),
    inputs,
    hash: (length: number) => shortHash(`${type}::${name}`, length),
  };
  const form = AWS_FORMS[type];
  if (form) {
    const arn = `arn:aws:${form.arn(names)}`;
    return { arn, id: form.id({ ...names, arn }), name: own };
  }
  const [, mod = ""] = type.split(":");
  const kind = type
    .split(":")
    .pop()!
    .replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());
  const ec2 = EC2_IDS[type] ?? { prefix: kind, arnType: kind };
  const id = `${ec2.prefix}-${names.hash(17)}`;
  return { id, arn: `arn:aws:${mod.split("/")[0]}:${names.region}:${AWS_ACCOUNT}:${ec2.arnType}/${id}`, name: own };
}

/** A UUID-shaped string from 32 hex digits (KMS key ids, Route 53 health check ids). */
function uuidOf(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Azure Resource Manager ids (https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules
 * lists each namespace and type): the provider namespace, then the type path from the top resource down, each segment with
 * the input that names it (`=value`: a fixed name). The leaf's input is the resource's own name.
 */
const ARM: Record<string, { ns: string; path: ReadonlyArray<readonly [string, string]> }> = {
  "azure-native:applicationinsights:Component": { ns: "Microsoft.Insights", path: [["components", "resourceName"]] },
  "azure-native:applicationinsights:WebTest": { ns: "Microsoft.Insights", path: [["webtests", "webTestName"]] },
  "azure-native:containerregistry:Registry": {
    ns: "Microsoft.ContainerRegistry",
    path: [["registries", "registryName"]],
  },
  "azure-native:containerservice:ManagedCluster": {
    ns: "Microsoft.ContainerService",
    path: [["managedClusters", "resourceName"]],
  },
  "azure-native:containerservice:AgentPool": {
    ns: "Microsoft.ContainerService",
    path: [
      ["managedClusters", "resourceName"],
      ["agentPools", "agentPoolName"],
    ],
  },
  "azure-native:dbforpostgresql:Server": { ns: "Microsoft.DBforPostgreSQL", path: [["flexibleServers", "serverName"]] },
  "azure-native:dbforpostgresql:Database": {
    ns: "Microsoft.DBforPostgreSQL",
    path: [
      ["flexibleServers", "serverName"],
      ["databases", "databaseName"],
    ],
  },
  "azure-native:dbforpostgresql:Configuration": {
    ns: "Microsoft.DBforPostgreSQL",
    path: [
      ["flexibleServers", "serverName"],
      ["configurations", "configurationName"],
    ],
  },
  "azure-native:keyvault:Vault": { ns: "Microsoft.KeyVault", path: [["vaults", "vaultName"]] },
  "azure-native:keyvault:Secret": {
    ns: "Microsoft.KeyVault",
    path: [
      ["vaults", "vaultName"],
      ["secrets", "secretName"],
    ],
  },
  "azure-native:managedidentity:UserAssignedIdentity": {
    ns: "Microsoft.ManagedIdentity",
    path: [["userAssignedIdentities", "resourceName"]],
  },
  "azure-native:managedidentity:FederatedIdentityCredential": {
    ns: "Microsoft.ManagedIdentity",
    path: [
      ["userAssignedIdentities", "resourceName"],
      ["federatedIdentityCredentials", "federatedIdentityCredentialResourceName"],
    ],
  },
  "azure-native:monitor:ActionGroup": { ns: "Microsoft.Insights", path: [["actionGroups", "actionGroupName"]] },
  "azure-native:monitor:MetricAlert": { ns: "Microsoft.Insights", path: [["metricAlerts", "ruleName"]] },
  "azure-native:monitor:ScheduledQueryRule": { ns: "Microsoft.Insights", path: [["scheduledQueryRules", "ruleName"]] },
  "azure-native:network:LocalNetworkGateway": {
    ns: "Microsoft.Network",
    path: [["localNetworkGateways", "localNetworkGatewayName"]],
  },
  "azure-native:network:NatGateway": { ns: "Microsoft.Network", path: [["natGateways", "natGatewayName"]] },
  "azure-native:network:PublicIPAddress": {
    ns: "Microsoft.Network",
    path: [["publicIPAddresses", "publicIpAddressName"]],
  },
  "azure-native:network:VirtualNetwork": { ns: "Microsoft.Network", path: [["virtualNetworks", "virtualNetworkName"]] },
  "azure-native:network:Subnet": {
    ns: "Microsoft.Network",
    path: [
      ["virtualNetworks", "virtualNetworkName"],
      ["subnets", "subnetName"],
    ],
  },
  "azure-native:network:VirtualNetworkGateway": {
    ns: "Microsoft.Network",
    path: [["virtualNetworkGateways", "virtualNetworkGatewayName"]],
  },
  "azure-native:network:VirtualNetworkGatewayConnection": {
    ns: "Microsoft.Network",
    path: [["connections", "virtualNetworkGatewayConnectionName"]],
  },
  "azure-native:operationalinsights:Workspace": {
    ns: "Microsoft.OperationalInsights",
    path: [["workspaces", "workspaceName"]],
  },
  "azure-native:portal:Dashboard": { ns: "Microsoft.Portal", path: [["dashboards", "dashboardName"]] },
  "azure-native:privatedns:PrivateZone": { ns: "Microsoft.Network", path: [["privateDnsZones", "privateZoneName"]] },
  "azure-native:privatedns:VirtualNetworkLink": {
    ns: "Microsoft.Network",
    path: [
      ["privateDnsZones", "privateZoneName"],
      ["virtualNetworkLinks", "virtualNetworkLinkName"],
    ],
  },
  "azure-native:resources:Deployment": { ns: "Microsoft.Resources", path: [["deployments", "deploymentName"]] },
  "azure-native:storage:StorageAccount": { ns: "Microsoft.Storage", path: [["storageAccounts", "accountName"]] },
  "azure-native:storage:BlobContainer": {
    ns: "Microsoft.Storage",
    path: [
      ["storageAccounts", "accountName"],
      ["blobServices", "=default"],
      ["containers", "containerName"],
    ],
  },
  "azure-native:web:AppServicePlan": { ns: "Microsoft.Web", path: [["serverfarms", "name"]] },
  "azure-native:web:WebApp": { ns: "Microsoft.Web", path: [["sites", "name"]] },
  "azure-native:web:WebAppApplicationSettings": {
    ns: "Microsoft.Web",
    path: [
      ["sites", "name"],
      ["config", "=appsettings"],
    ],
  },
};

/**
 * Azure extension resources, which live under another resource's id (`scope`, `resourceUri`, a cluster) rather than
 * in a resource group of their own: their id is that id, then `/providers/<namespace>/<type>/<name>`.
 */
const ARM_EXTENSIONS: Record<string, (name: string, inputs: Inputs) => { under: string; path: string; own: string }> = {
  "azure-native:authorization:RoleAssignment": extension(
    "Microsoft.Authorization/roleAssignments",
    (name, i) => i.roleAssignmentName ?? mockGuid(`role-assignment::${name}`),
    (i) => i.scope,
  ),
  "azure-native:authorization:ManagementLockByScope": extension(
    "Microsoft.Authorization/locks",
    (name, i) => i.lockName ?? name,
    (i) => i.scope,
  ),
  "azure-native:consumption:Budget": extension(
    "Microsoft.Consumption/budgets",
    (name, i) => i.budgetName ?? name,
    (i) => i.scope,
  ),
  "azure-native:monitor:DiagnosticSetting": extension(
    "Microsoft.Insights/diagnosticSettings",
    (name, i) => i.name ?? name,
    (i) => i.resourceUri,
  ),
  "azure-native:kubernetesconfiguration:Extension": extension(
    "Microsoft.KubernetesConfiguration/extensions",
    (name, i) => i.extensionName ?? name,
    aksId,
  ),
  "azure-native:kubernetesconfiguration:FluxConfiguration": extension(
    "Microsoft.KubernetesConfiguration/fluxConfigurations",
    (name, i) => i.fluxConfigurationName ?? name,
    aksId,
  ),
};

/** An extension resource of type `path`, named by `own`, under the id `under` gives. */
function extension(
  path: string,
  own: (name: string, i: Inputs) => unknown,
  under: (i: Inputs) => unknown,
): (name: string, inputs: Inputs) => { under: string; path: string; own: string } {
  return (name, i) => {
    const value = String(own(name, i));
    return { under: String(under(i)), path: `${path}/${value}`, own: value };
  };
}

/** The AKS cluster a cluster extension is installed on (clusterRp/clusterResourceName/clusterName). */
function aksId(i: Inputs): string {
  return `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${String(i.resourceGroupName)}/providers/${String(i.clusterRp ?? "Microsoft.ContainerService")}/${String(i.clusterResourceName ?? "managedClusters")}/${String(i.clusterName)}`;
}

/** Azure: the ARM id and the resource's own name (ARM, ARM_EXTENSIONS; a type not listed gets the generic form). */
function azureIdentity(type: string, name: string, inputs: Inputs): { id: string; name: string } {
  const autoname = `${name}${shortHash(name, 6)}`;
  const ext = ARM_EXTENSIONS[type]?.(name, inputs);
  if (ext) return { id: `${ext.under}/providers/${ext.path}`, name: ext.own };
  if (type === "azure-native:resources:ResourceGroup") {
    const own = String(inputs.resourceGroupName ?? autoname);
    return { id: `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${own}`, name: own };
  }
  const arm = ARM[type];
  const group = `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${String(inputs.resourceGroupName ?? autoname)}`;
  if (!arm) {
    const [, mod = ""] = type.split(":");
    return { id: `${group}/providers/Microsoft.${mod}/${type.split(":").pop()}/${autoname}`, name: autoname };
  }
  const segments = arm.path.map(([armType, key], i) => {
    const value = key.startsWith("=")
      ? key.slice(1)
      : String(inputs[key] ?? (i === arm.path.length - 1 ? autoname : `${key}-unknown`));
    return `${armType}/${value}`;
  });
  const own = segments[segments.length - 1]!.split("/")[1]!;
  return { id: `${group}/providers/${arm.ns}/${segments.join("/")}`, name: own };
}

/** A GCP resource's own name: `name`, or the id input its type names it by, or an autoname. */
function gcpName(name: string, inputs: Inputs): string {
  const own = inputs.name ?? inputs.repositoryId ?? inputs.secretId ?? inputs.accountId ?? inputs.membershipId;
  return own === undefined ? `${name}-${shortHash(name)}` : String(own);
}

/**
 * GCP ids as the provider sets them (terraform-provider-google, each resource's "Import" section), for the types whose
 * id the program passes on; others get `projects/<project>/<kind>s/<name>`.
 */
const GCP_IDS: Record<
  string,
  (n: { project: string; region: string; location: string; name: string; logical: string; inputs: Inputs }) => string
> = {
  // Monitoring objects are ids the service assigns: the id is the `name` TYPE_OUTPUTS gives.
  "gcp:monitoring/notificationChannel:NotificationChannel": (n) =>
    `projects/${n.project}/notificationChannels/${parseInt(shortHash(n.logical, 12), 16)}`,
  "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig": (n) =>
    `projects/${n.project}/uptimeCheckConfigs/${n.logical}-${shortHash(n.logical, 8)}`,
  "gcp:monitoring/alertPolicy:AlertPolicy": (n) =>
    `projects/${n.project}/alertPolicies/${parseInt(shortHash(n.logical, 12), 16)}`,
  "gcp:compute/network:Network": (n) => `projects/${n.project}/global/networks/${n.name}`,
  "gcp:compute/subnetwork:Subnetwork": (n) => `projects/${n.project}/regions/${n.region}/subnetworks/${n.name}`,
  "gcp:compute/firewall:Firewall": (n) => `projects/${n.project}/global/firewalls/${n.name}`,
  "gcp:compute/globalAddress:GlobalAddress": (n) => `projects/${n.project}/global/addresses/${n.name}`,
  "gcp:compute/externalVpnGateway:ExternalVpnGateway": (n) =>
    `projects/${n.project}/global/externalVpnGateways/${n.name}`,
  "gcp:compute/haVpnGateway:HaVpnGateway": (n) => `projects/${n.project}/regions/${n.region}/vpnGateways/${n.name}`,
  "gcp:compute/router:Router": (n) => `projects/${n.project}/regions/${n.region}/routers/${n.name}`,
  "gcp:compute/vPNTunnel:VPNTunnel": (n) => `projects/${n.project}/regions/${n.region}/vpnTunnels/${n.name}`,
  "gcp:container/cluster:Cluster": (n) => `projects/${n.project}/locations/${n.location}/clusters/${n.name}`,
  "gcp:artifactregistry/repository:Repository": (n) =>
    `projects/${n.project}/locations/${n.location}/repositories/${n.name}`,
  "gcp:cloudfunctionsv2/function:Function": (n) => `projects/${n.project}/locations/${n.location}/functions/${n.name}`,
  "gcp:secretmanager/secret:Secret": (n) => `projects/${n.project}/secrets/${n.name}`,
  "gcp:serviceaccount/account:Account": (n) =>
    `projects/${n.project}/serviceAccounts/${n.name}@${n.project}.iam.gserviceaccount.com`,
  "gcp:gkehub/membership:Membership": (n) => `projects/${n.project}/locations/${n.location}/memberships/${n.name}`,
  "gcp:sql/databaseInstance:DatabaseInstance": (n) => n.name,
  "gcp:storage/bucket:Bucket": (n) => n.name,
  // An IAM member grant is named by its resource, role and member (terraform-provider-google, resourceIamMemberCreate:
  // `<resource id>/<role>/<member>`), so two grants on one service have two ids.
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": (n) =>
    `${n.name.startsWith("projects/") ? n.name : `projects/${n.project}/locations/${n.location}/services/${n.name}`}/${String(n.inputs.role)}/${iamMemberInId(String(n.inputs.member))}`,
};

/** The provider's default `location` of the GCP types whose default is not the provider's region. */
const GCP_DEFAULT_LOCATIONS: Record<string, string> = {
  "gcp:gkehub/membership:Membership": "global",
};

/**
 * A member as an IAM member's id holds it (terraform-provider-google, normalizeIamMemberCasing): `<type>:<value>` with
 * the value lowercased, after an optional `deleted:`, unless the member is case-sensitive (allUsers,
 * allAuthenticatedUsers, principal:, principalSet:, principalHierarchy:).
 */
function iamMemberInId(member: string): string {
  const bare = member.replace(/^deleted:/, "");
  if (/allUsers|allAuthenticatedUsers/.test(bare) || /^principal(Set|Hierarchy)?:/.test(bare)) return member;
  const at = member.indexOf(":", member.startsWith("deleted:") ? "deleted:".length : 0);
  return at < 0 ? member : member.slice(0, at + 1) + member.slice(at + 1).toLowerCase();
}

export function mockResource(
  type: string,
  name: string,
  inputs: Inputs,
  ctx: MockContext,
): { id: string; state: Inputs } {
  const [pkg, mod = ""] = type.split(":");
  let id: string;
  const generic: Inputs = {};
  if (pkg === "aws") {
    const aws = awsIdentity(type, name, inputs, ctx);
    id = aws.id;
    generic.arn = aws.arn;
    generic.name = aws.name;
    generic.tagsAll = inputs.tags;
  } else if (pkg === "azure-native") {
    const azure = azureIdentity(type, name, inputs);
    id = azure.id;
    generic.name = azure.name;
  } else if (pkg === "gcp") {
    const rname = gcpName(name, inputs);
    const kind = type.split(":").pop()!.toLowerCase();
    const project = (inputs.project as string | undefined) ?? ctx.gcpProject;
    const form = GCP_IDS[type];
    id = form
      ? form({
          project,
          region: String(inputs.region ?? ctx.gcpRegion),
          location: String(inputs.location ?? GCP_DEFAULT_LOCATIONS[type] ?? ctx.gcpRegion),
          name: rname,
          logical: name,
          inputs,
        })
      : `projects/${project}/${kind}s/${rname}`;
    generic.name = rname;
    generic.project = project;
    generic.selfLink = `https://www.googleapis.com/${mod.split("/")[0]}/v1/${id}`;
  } else if (pkg === "cloudflare") {
    // Cloudflare's object ids are 32 hex digits (https://developers.cloudflare.com/fundamentals/account/find-account-and-zone-ids/).
    id = shortHash(`${type}::${name}`, 32);
  } else if (type === "vercel:index/project:Project") {
    // Vercel project ids start with prj_ (https://vercel.com/docs/projects/overview).
    id = `prj_${shortHash(`${type}::${name}`, 28)}`;
  } else {
    id = `${name}-${shortHash(`${type}::${name}`, 12)}`;
  }
  const extra = TYPE_OUTPUTS[type]?.(name, inputs, ctx, id) ?? {};
  return { id, state: { ...generic, ...inputs, ...extra, id } };
}

/**
 * GKE release channels: the minors each offers and its default for new clusters. The "Current versions" table of
 * https://cloud.google.com/kubernetes-engine/docs/release-notes moves every few weeks (copies read 2026-11-30 show
 * Regular offering 1.32-1.34, then 1.32-1.35, and the support calendar's note 1.34-1.36); the mock offers the union
 * for 2026 so a plan does not depend on the week it runs, and policies/preflight/calendar.ts judges the dates.
 * The form is what the program relies on: one default per channel, the newest valid version per channel and prefix.
 */
export const GKE_CHANNELS: Readonly<
  Record<"RAPID" | "REGULAR" | "STABLE" | "EXTENDED", { minors: readonly number[]; default: string }>
> = {
  RAPID: { minors: [33, 34, 35, 36, 37], default: "1.36.5-gke.2100000" },
  REGULAR: { minors: [32, 33, 34, 35, 36], default: "1.34.3-gke.1318000" },
  STABLE: { minors: [32, 33, 34, 35], default: "1.33.5-gke.2228001" },
  EXTENDED: { minors: [30, 31, 32, 33, 34, 35, 36], default: "1.34.3-gke.1318000" },
};

/**
 * GKE refuses a location or node location that is not a zone of the cluster's region, or a zone that does not exist
 * (us-east1-a, europe-west1-a): so does the mock, against the table of components/gcp/zones.ts (from
 * https://cloud.google.com/compute/docs/regions-zones). A location without a zone letter is a region (regional).
 * Returns the refusal, or undefined when GKE would accept the zones.
 */
export function gkeZoneRefusal(inputs: Inputs): string | undefined {
  const location = typeof inputs.location === "string" ? inputs.location : undefined;
  const zonal = location !== undefined && /-[a-z]$/.test(location);
  const region = zonal ? location.replace(/-[a-z]$/, "") : location;
  const zones = [...(zonal ? [location] : []), ...((inputs.nodeLocations as string[] | undefined) ?? [])];
  for (const zone of zones) {
    if (!isKnownZone(zone)) return `GKE refuses the zone "${zone}": no such Compute Engine zone`;
    if (region !== undefined && !zone.startsWith(`${region}-`))
      return `GKE refuses the node location "${zone}": not a zone of ${region}`;
  }
  return undefined;
}

/**
 * Inputs a cloud refuses at create time although every type checks, per resource type. The mocks record each
 * refusal in `failures` (and still answer, so the run completes): the plan or the component's build then fails
 * naming it, as the deploy would.
 */
export const CLOUD_REFUSALS: Record<string, (inputs: Inputs) => string | undefined> = {
  "gcp:container/cluster:Cluster": gkeZoneRefusal,
  "gcp:container/nodePool:NodePool": gkeZoneRefusal,
};

export class CloudRefusalError extends Error {
  constructor(
    readonly type: string,
    readonly resourceName: string,
    reason: string,
  ) {
    super(`${resourceName} (${type}): ${reason}`);
    this.name = "CloudRefusalError";
  }
}

/** Cloud Run's region codes in run.app hosts (us-central1 -> uc); other regions get a two-letter stand-in. */
function runRegionCode(region: string): string {
  const known: Record<string, string> = {
    "us-central1": "uc",
    "us-east1": "ue",
    "us-west1": "uw",
    "europe-west1": "ew",
  };
  return known[region] ?? region.replace(/[^a-z]/g, "").slice(0, 2);
}

/** Answers for provider functions (invokes). Any other token fails the plan, naming it. */
export const INVOKES: Record<string, (inputs: Inputs, ctx: MockContext) => Inputs> = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: AWS_ACCOUNT,
    arn: `arn:aws:iam::${AWS_ACCOUNT}:user/tricloud`,
    userId: "AIDAEXAMPLE",
  }),
  "aws:index/getRegion:getRegion": (_i, ctx) => ({ name: ctx.awsRegion, region: ctx.awsRegion, id: ctx.awsRegion }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com" }),
  "azure-native:authorization:getClientConfig": () => ({
    clientId: "22222222-2222-2222-2222-222222222222",
    objectId: "33333333-3333-3333-3333-333333333333",
    subscriptionId: AZURE_SUBSCRIPTION,
    tenantId: AZURE_TENANT,
  }),
  "gcp:organizations/getProject:getProject": (i, ctx) => ({
    projectId: i.projectId ?? ctx.gcpProject,
    number: "123456789012",
    name: ctx.gcpProject,
  }),
  // As the provider reads getServerConfig (terraform-provider-google, data_source_google_container_engine_versions.go):
  // releaseChannelDefaultVersion is each channel's default, unfiltered; releaseChannelLatestVersion holds, per
  // channel, the newest of its valid versions that starts with versionPrefix, and no key for a channel without one.
  "gcp:container/getEngineVersions:getEngineVersions": (i) => {
    const prefix = String(i.versionPrefix ?? "");
    const minors = Object.values(GKE_CHANNELS).flatMap((c) => c.minors);
    const valid = [...new Set(minors)]
      .sort((a, b) => b - a)
      .map((m) => `1.${m}.5-gke.2100000`)
      .filter((v) => v.startsWith(prefix));
    const channels = Object.entries(GKE_CHANNELS);
    return {
      latestMasterVersion: valid[0],
      latestNodeVersion: valid[0],
      validMasterVersions: valid,
      validNodeVersions: valid,
      defaultClusterVersion: GKE_CHANNELS.REGULAR.default,
      releaseChannelDefaultVersion: Object.fromEntries(channels.map(([c, v]) => [c, v.default])),
      releaseChannelLatestVersion: Object.fromEntries(
        channels.flatMap(([c, v]) => {
          const newest = [...v.minors]
            .sort((a, b) => b - a)
            .map((m) => `1.${m}.5-gke.2100000`)
            .find((x) => x.startsWith(prefix));
          return newest ? [[c, newest]] : [];
        }),
      ),
    };
  },
  // The server is the cluster's own: a private cluster's private FQDN (what `az aks get-credentials` gives without
  // --public-fqdn), a public cluster's FQDN, both from aksApiServer with the inputs the cluster's mock recorded.
  "azure-native:containerservice:listManagedClusterUserCredentials": (i, ctx) => {
    const cluster = String(i.resourceName);
    const known = ctx.aksClusters?.get(`${String(i.resourceGroupName)}/${cluster}`);
    const server = aksApiServer(cluster, known ?? aksNaming({}, ctx, cluster));
    const host = known === undefined || known.private ? server.privateFQDN : server.fqdn;
    return {
      kubeconfigs: [
        {
          name: "clusterUser",
          value: Buffer.from(
            `apiVersion: v1\nkind: Config\n# mock Entra ID (kubelogin) kubeconfig of ${cluster}\n` +
              `clusters:\n- name: ${cluster}\n  cluster:\n` +
              `    certificate-authority-data: ${Buffer.from(`mock CA of ${cluster}`).toString("base64")}\n` +
              `    server: https://${host}:443\n`,
          ).toString("base64"),
        },
      ],
    };
  },
};

export class UnknownInvokeError extends Error {
  constructor(readonly token: string) {
    super(
      `tricloud plan has no offline answer for the invoke "${token}"; add one to INVOKES in cli/plan/mock-state.ts`,
    );
    this.name = "UnknownInvokeError";
  }
}

/**
 * The mocks the offline plan (and a component built alone in a test) runs under: each
 * resource gets mockResource's state, each invoke its INVOKES answer; an invoke with no
 * answer is recorded in `failures` (the SDK may swallow the throw) and thrown, and inputs the
 * cloud would refuse (CLOUD_REFUSALS) are recorded there too.
 */
/**
 * A private endpoint for a GKE cluster created without masterIpv4CidrBlock: an address of its node subnet
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/latest/network-isolation, read 2026-11-30), past the
 * subnet's first two and before its last two addresses, which Google Cloud reserves
 * (https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet). A cluster built alone,
 * on a subnetwork id no mock created, gets an address of 10.0.0.0/8.
 */
export function gkePrivateEndpoint(name: string, subnetRange: string | undefined): string {
  return addressIn(name, subnetRange);
}

/** An address of `cidr` (10.0.0.0/8 when undefined), chosen by `name`, past its first two and before its last two. */
function addressIn(name: string, cidr: string | undefined): string {
  const range = (cidr === undefined ? undefined : parseCidr(cidr)) ?? parseCidr("10.0.0.0/8")!;
  const usable = 2 ** (32 - range.prefix) - 4;
  const address = range.base + 2 + (parseInt(shortHash(name, 6), 16) % usable);
  return formatIpv4(address);
}

export function offlineMocks(
  ctx: MockContext,
  failures: Error[],
  onResource: (type: string, name: string, inputs: Inputs, state: Inputs) => void = () => {},
): pulumi.runtime.Mocks {
  const world: MockContext = {
    ...ctx,
    gcpSubnetRanges: new Map(),
    gcpPeeringRanges: new Map(),
    aksClusters: new Map(),
  };
  return {
    newResource(args) {
      const mocked = mockResource(args.type, args.name, args.inputs, world);
      const refusal = CLOUD_REFUSALS[args.type]?.(args.inputs);
      if (refusal !== undefined) failures.push(new CloudRefusalError(args.type, args.name, refusal));
      if (args.type === "gcp:compute/subnetwork:Subnetwork")
        world.gcpSubnetRanges!.set(mocked.id, String(args.inputs.ipCidrRange));
      if (args.type === "gcp:compute/globalAddress:GlobalAddress" && args.inputs.purpose === "VPC_PEERING")
        world.gcpPeeringRanges!.set(
          String(args.inputs.network),
          `${String(args.inputs.address)}/${String(args.inputs.prefixLength)}`,
        );
      if (args.type === "azure-native:containerservice:ManagedCluster") {
        const cluster = mocked.id.split("/").pop()!;
        world.aksClusters!.set(`${String(args.inputs.resourceGroupName)}/${cluster}`, {
          ...aksNaming(args.inputs, world, cluster),
          private: (args.inputs.apiServerAccessProfile as Inputs | undefined)?.enablePrivateCluster === true,
        });
      }
      onResource(args.type, args.name, args.inputs, mocked.state);
      return mocked;
    },
    call(args) {
      const answer = INVOKES[args.token];
      if (!answer) {
        const err = new UnknownInvokeError(args.token);
        failures.push(err);
        throw err;
      }
      return answer(args.inputs, world);
    },
  };
}
