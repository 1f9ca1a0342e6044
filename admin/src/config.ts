// Runtime configuration: ./config.json beside index.html, written at deploy by tools/deploy_admin.py from the
// stack outputs (docs/admin-page.md). Without it the page runs against the local stack on its own origin and
// signs in with the local form (POST /_local/token). A config.json with `cognito` switches to the
// authorization code + PKCE flow: deployed, Cognito's managed login; in the browser tests, the local stack's
// stand-in at <base>/_local (local/oauth2.py).
export interface CognitoConfig {
  domain: string; // AdminLoginUrl: https://<prefix>.auth.<region>.amazoncognito.com (managed login)
  client_id: string; // AdminPageClientId
  redirect_uri: string; // AdminSignInRedirectUrl: the page's own URL, also its logout_uri
}

export interface Config {
  api_url: string; // ApiUrl; "" = same origin (the local stack)
  cognito: CognitoConfig | null; // null = local sign-in through POST /_local/token
}

function cognitoOf(value: unknown): CognitoConfig | null {
  if (typeof value !== "object" || value === null) return null;
  const { domain, client_id, redirect_uri } = value as Record<string, unknown>;
  if (typeof domain !== "string" || typeof client_id !== "string" || typeof redirect_uri !== "string") return null;
  return { domain: domain.replace(/\/$/, ""), client_id, redirect_uri };
}

export async function loadConfig(): Promise<Config> {
  try {
    const response = await fetch("./config.json", { cache: "no-store" });
    if (response.ok) {
      const body = (await response.json()) as { api_url?: unknown; cognito?: unknown };
      const api = typeof body.api_url === "string" ? body.api_url : "";
      return { api_url: api.replace(/\/$/, ""), cognito: cognitoOf(body.cognito) };
    }
  } catch {
    // no config: the local stack
  }
  return { api_url: "", cognito: null };
}
