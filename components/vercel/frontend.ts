import * as pulumi from "@pulumi/pulumi";
import * as vercel from "@pulumiverse/vercel";

/** Where a custom subdomain of a Vercel project must point (Vercel's documented CNAME target). */
export const VERCEL_CNAME_TARGET = "cname.vercel-dns.com";

/**
 * Prefix under which each framework exposes a variable to browser code.
 * The server-side name is always TRICLOUD_API_URL; the public one lets the
 * client bundle call the API without a server round trip.
 */
const PUBLIC_ENV_PREFIX: Readonly<Record<string, string>> = {
  nextjs: "NEXT_PUBLIC_",
  vite: "VITE_",
  "create-react-app": "REACT_APP_",
  nuxtjs: "NUXT_PUBLIC_",
  sveltekit: "PUBLIC_",
  "sveltekit-1": "PUBLIC_",
  astro: "PUBLIC_",
  gatsby: "GATSBY_",
};

export interface VercelFrontendArgs {
  /** Vercel project name, unique within the team (e.g. `tricloud-prod`). */
  projectName: string;
  /** Framework preset (Vercel's slug: nextjs, vite, astro, ...). */
  framework: string;
  /** Custom domain the frontend is served on, e.g. `www.example.com`. */
  domain: string;
  /** Base URL of the API the frontend calls, e.g. `https://api.example.com`. */
  apiUrl: pulumi.Input<string>;
  /** Vercel team; omitted means the token's personal account or the provider's default team. */
  teamId?: string;
  /** Git repository whose pushes deploy the project; omitted means deployments come from the CLI. */
  gitRepository?: { type: "github" | "gitlab" | "bitbucket"; repo: string };
}

/** The Vercel project that serves the web frontend on its own domain, wired to the API. */
export class VercelFrontend extends pulumi.ComponentResource {
  readonly projectId: pulumi.Output<string>;
  readonly domain: string;
  /** The CNAME target the DNS provider must point `domain` at. */
  readonly dnsTarget: string;
  /** Names of the environment variables that carry the API URL. */
  readonly apiUrlVariables: readonly string[];

  constructor(name: string, args: VercelFrontendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tricloud:vercel:Frontend", name, {}, opts);
    const child = { parent: this };
    const team = args.teamId ? { teamId: args.teamId } : {};

    const project = new vercel.Project(
      `${name}-project`,
      {
        name: args.projectName,
        framework: args.framework,
        ...team,
        ...(args.gitRepository
          ? { gitRepository: { type: args.gitRepository.type, repo: args.gitRepository.repo } }
          : {}),
      },
      child,
    );

    new vercel.ProjectDomain(`${name}-domain`, { projectId: project.id, domain: args.domain, ...team }, child);

    const prefix = PUBLIC_ENV_PREFIX[args.framework];
    this.apiUrlVariables = ["TRICLOUD_API_URL", ...(prefix ? [`${prefix}API_URL`] : [])];
    new vercel.ProjectEnvironmentVariables(
      `${name}-env`,
      {
        projectId: project.id,
        ...team,
        // Sensitive although the URL is public: under a team-wide sensitive-variable policy Vercel refuses
        // non-sensitive production and preview variables. The build still decrypts them, so the browser copy is
        // inlined as before; sensitive variables cannot target development, so none does (@pulumiverse/vercel 5.4.1,
        // ProjectEnvironmentVariables `sensitive`;
        // https://vercel.com/docs/projects/environment-variables/sensitive-environment-variables).
        variables: this.apiUrlVariables.map((key) => ({
          key,
          value: args.apiUrl,
          targets: ["production", "preview"],
          sensitive: true,
          comment: "Base URL of the tricloud API behind the Cloudflare load balancer",
        })),
      },
      child,
    );

    this.projectId = project.id;
    this.domain = args.domain;
    this.dnsTarget = VERCEL_CNAME_TARGET;
    this.registerOutputs({ projectId: this.projectId, domain: this.domain, dnsTarget: this.dnsTarget });
  }
}
