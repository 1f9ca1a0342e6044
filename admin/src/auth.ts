// Who is signed in. The token lives in sessionStorage only (gone with the tab, never in a URL or
// localStorage); sign-out removes it. Deployed: Cognito managed login, authorization code + PKCE (RFC 7636)
// with the Web Crypto API. Locally: POST /_local/token (API.md 7).
import type { CognitoConfig, Config } from "./config";

const TOKEN = "pmc-admin-token";
const PKCE = "pmc-admin-pkce"; // the verifier and state of a sign-in under way (not a token)

export type Role = "admin" | "staff" | "ward_officer" | "cfc_clerk";

export interface Session {
  token: string;
  phone: string;
  groups: string[];
  ward: string | null;
  office: string | null;
  role: Role;
  expires: number; // epoch seconds
}

export class CitizenRefused extends Error {}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function claimsOf(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const padded = part.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((part.length + 3) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string") return value.replace(/^\[|\]$/g, "").split(/[\s,]+/).filter(Boolean);
  return [];
}

/** A session for a token, or CitizenRefused when it carries no staff or clerk group (API.md 1.4). */
export function sessionOf(token: string): Session {
  const claims = claimsOf(token);
  const groups = groupsOf(claims["cognito:groups"]);
  const role: Role | null = groups.includes("admin")
    ? "admin"
    : groups.includes("staff")
      ? "staff"
      : groups.includes("ward_officer")
        ? "ward_officer"
        : groups.includes("cfc_clerk")
          ? "cfc_clerk"
          : null;
  if (role === null) throw new CitizenRefused();
  return {
    token,
    phone: String(claims["phone_number"] ?? ""),
    groups,
    ward: typeof claims["custom:ward"] === "string" ? (claims["custom:ward"] as string) : null,
    office: typeof claims["custom:office"] === "string" ? (claims["custom:office"] as string) : null,
    role,
    expires: Number(claims["exp"] ?? 0),
  };
}

export function restore(): Session | null {
  const token = sessionStorage.getItem(TOKEN);
  if (!token) return null;
  try {
    const session = sessionOf(token);
    if (session.expires * 1000 > Date.now()) return session;
  } catch {
    // not a staff token: dropped below
  }
  sessionStorage.removeItem(TOKEN);
  return null;
}

export function keep(session: Session): void {
  sessionStorage.setItem(TOKEN, session.token);
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(PKCE);
}

export interface LocalIdentity {
  phone_number: string;
  groups: string[];
  ward?: string;
  office?: string;
}

export async function localToken(config: Config, identity: LocalIdentity): Promise<string> {
  const response = await fetch(`${config.api_url}/_local/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(identity),
  });
  if (!response.ok) throw new Error(`token: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

// ------------------------------------------------------------------ Cognito, authorization code + PKCE

export async function startCognito(cognito: CognitoConfig): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: cognito.client_id,
    redirect_uri: cognito.redirect_uri,
    scope: "openid phone",
    state,
    code_challenge: base64url(digest),
    code_challenge_method: "S256",
  });
  location.assign(`${cognito.domain}/oauth2/authorize?${query}`);
}

/** On return from managed login: swap `?code=` for tokens, then drop the code from the address bar.
 * An `?error=` back from managed login (RFC 6749 4.1.2.1) ends the sign-in under way with that error. */
export async function finishCognito(cognito: CognitoConfig): Promise<string | null> {
  const params = new URLSearchParams(location.search);
  const code = params.get("code");
  const error = params.get("error");
  if (error !== null) {
    history.replaceState(null, "", location.pathname + location.hash);
    sessionStorage.removeItem(PKCE);
    throw new Error(`sign-in refused: ${error}`);
  }
  if (!code) return null;
  history.replaceState(null, "", location.pathname + location.hash);
  const pending = JSON.parse(sessionStorage.getItem(PKCE) ?? "null") as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PKCE);
  if (!pending || pending.state !== params.get("state")) throw new Error("sign-in state does not match");
  const response = await fetch(`${cognito.domain}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: cognito.client_id,
      code,
      redirect_uri: cognito.redirect_uri,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`token endpoint: ${response.status}`);
  // The API's bearer is the ID token (API.md 1.4: access tokens lack phone_number and custom:ward).
  return ((await response.json()) as { id_token: string }).id_token;
}

export function cognitoLogoutUrl(cognito: CognitoConfig): string {
  const query = new URLSearchParams({ client_id: cognito.client_id, logout_uri: cognito.redirect_uri });
  return `${cognito.domain}/logout?${query}`;
}
