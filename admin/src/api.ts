// Calls to the city API with the staff bearer; problem+json (API.md 1.6) becomes an ApiError whose
// message a person can read, in the chosen language where the code is known.
import { codeMessage, t } from "./i18n";

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  code?: string | null;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(readable(status, problem));
  }
}

function readable(status: number, problem: Problem | null): string {
  if (!problem) return `${t("error")} (${status})`;
  const known = codeMessage(problem.code ?? null);
  if (known) return known;
  if (problem.errors?.length) {
    return problem.errors.map((e) => `${e.field.replace(/^(body|query|path)\./, "")}: ${e.message}`).join("; ");
  }
  return problem.detail || problem.title || `${t("error")} (${status})`;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

let base = "";
let bearer: string | null = null;
let onUnauthorized: () => void = () => {};

export function configure(apiUrl: string, token: string | null, unauthorized: () => void): void {
  base = apiUrl;
  bearer = token;
  onUnauthorized = unauthorized;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return (await request<T>(method, path, body)).data;
}

/** api() with extra request headers (If-Match, Idempotency-Key) and the answer's ETag (API.md 1.9). */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<{ data: T; etag: string | null }> {
  const headers: Record<string, string> = { ...extra };
  if (bearer) headers["authorization"] = `Bearer ${bearer}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    // Staff act on what they see: public GETs (max-age 60/300) are revalidated by ETag, never served stale.
    cache: "no-cache",
  });
  if (response.status === 401) onUnauthorized();
  if (!response.ok) {
    let problem: Problem | null = null;
    try {
      problem = (await response.json()) as Problem;
    } catch {
      problem = null;
    }
    throw new ApiError(response.status, problem);
  }
  const data = (response.status === 204 ? null : await response.json()) as T;
  return { data, etag: response.headers.get("etag") };
}

export function query(params: Record<string, string | null | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => !!e[1]);
  return entries.length ? "?" + new URLSearchParams(entries).toString() : "";
}

/** A raw GET with the bearer (CSV and other non-JSON bodies). */
export function authorizedFetch(path: string): Promise<Response> {
  return fetch(base + path, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
}
