// Runtime configuration: ./config.json beside index.html, written at deploy from the stack outputs
// (README "Admin page"). Without it the page runs against the local stack on its own origin.
export interface CognitoConfig {
  domain: string; // https://<prefix>.auth.<region>.amazoncognito.com (the user pool's managed login)
  client_id: string; // AdminPageClientId
  redirect_uri: string; // AdminSiteUrl + "/"
}

export interface Config {
  api_url: string; // ApiUrl; "" = same origin (the local stack)
  cognito: CognitoConfig | null; // null = local sign-in through POST /_local/token
}

export async function loadConfig(): Promise<Config> {
  try {
    const response = await fetch("./config.json", { cache: "no-store" });
    if (response.ok) {
      const body = (await response.json()) as Partial<Config>;
      return { api_url: (body.api_url ?? "").replace(/\/$/, ""), cognito: body.cognito ?? null };
    }
  } catch {
    // no config: the local stack
  }
  return { api_url: "", cognito: null };
}
