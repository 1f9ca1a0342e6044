// Resolve with proof of fix (issue 20, docs/accountability.md): one form that either uploads a photo of the
// fix (POST /staff/grievances/{id}/photos → presigned POST straight to S3 → the photo processor; the page
// waits until the photo is ready) and then resolves, or resolves on a reason (no_fix_needed, duplicate with
// the duplicate's id, other_agency) with a note. The API decides; its 409/422 are shown as words.
import { api, ApiError } from "./api";
import { field, h, select } from "./dom";
import { t, type Key } from "./i18n";
import type { Grievance, Photo, PhotoUpload } from "./types";

/** Sends a change and redraws the grievance on success; false (and the problem shown) on failure. */
export type Send = (method: string, path: string, body: Record<string, unknown>) => Promise<boolean>;

const MAX_BYTES = 5 * 1024 * 1024; // API.md 3.5; S3's policy enforces it too
const TYPES = ["image/jpeg", "image/png"];
const WAIT_MS = 60_000; // the processor runs on the upload, asynchronously: seconds, not minutes
const POLL_MS = 500;

// The form fields the API's 422 may name, as the page labels them.
const FIELDS: Record<string, Key> = {
  "body.note": "note",
  "body.resolution_reason": "resolution_reason",
  "body.duplicate_of": "duplicate_of",
  "body.reason": "mod_reason",
  "body.description": "description",
};

/** A problem as a person reads it: field errors under the form's own labels, known codes in words. */
export function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error && error.message ? error.message : t("error");
  const p = error.problem;
  const code = p?.code ? (`code_${p.code}` as Key) : null;
  if (code && t(code)) return t(code);
  if (p?.errors?.length) {
    return p.errors
      .map((e) => {
        const rect = e.field.match(/^body\.rectangles\.(\d+)/);
        const label = rect ? `${t("rectangle")} ${Number(rect[1]) + 1}` : FIELDS[e.field] ? t(FIELDS[e.field]!) : null;
        return `${label ?? e.field.replace(/^(body|query|path)\./, "")}: ${e.message}`;
      })
      .join("; ");
  }
  return error.message;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** Upload one photo of the fix and wait for the processor: resolves once it is ready, throws otherwise. */
async function upload(g: Grievance, file: File, progress: (text: string) => void): Promise<void> {
  const path = `/staff/grievances/${encodeURIComponent(g.id)}`;
  progress(t("photo_uploading"));
  const slot = await api<PhotoUpload>("POST", `${path}/photos`, { content_type: file.type });
  const form = new FormData();
  for (const [name, value] of Object.entries(slot.fields)) form.append(name, value);
  form.append("file", file); // last: S3 ignores fields after the file
  const sent = await fetch(slot.url, { method: "POST", body: form }); // signed: no bearer, no cookies
  if (!sent.ok) throw new Error(`${t("photo_upload_failed")} (${sent.status})`);
  progress(t("photo_processing"));
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const now = await api<Grievance>("GET", `/grievances/${encodeURIComponent(g.id)}`);
    const photo: Photo | undefined = now.resolution_photos.find((p) => p.id === slot.photo_id);
    if (photo?.status === "ready") return;
    if (photo?.status === "rejected") throw new Error(`${t("photo_rejected")}: ${photo.rejection_reason ?? ""}`);
    await sleep(POLL_MS);
  }
  throw new Error(t("photo_slow"));
}

export function resolveForm(g: Grievance, send: Send, fail: (message: string) => void): HTMLFormElement {
  const photo = h("input", { name: "photo", type: "file", accept: TYPES.join(",") });
  const note = h("textarea", { name: "note", rows: 2, maxlength: 1000 });
  const reason = select("resolution_reason", [
    ["", t("reason_none")],
    ["no_fix_needed", t("reason_no_fix_needed")],
    ["duplicate", t("reason_duplicate")],
    ["other_agency", t("reason_other_agency")],
  ]);
  const duplicate = h("input", { name: "duplicate_of", type: "text", maxlength: 32 });
  const progress = h("p", { class: "status-line", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("resolve"));
  const form = h(
    "form",
    { class: "action", id: "act-resolve" },
    h(
      "fieldset",
      {},
      h("legend", {}, t("resolve")),
      h("p", { class: "note", id: "resolve-hint" }, t("resolve_hint")),
      field("resolve-photo", t("resolution_photo"), photo),
      field("resolve-note", t("note"), note),
      field("resolve-reason", t("resolution_reason"), reason),
      field("resolve-duplicate", t("duplicate_of"), duplicate),
      progress,
      submit,
    ),
  );
  form.setAttribute("aria-describedby", "resolve-hint");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const file = photo.files?.[0] ?? null;
    if (file && (!TYPES.includes(file.type) || file.size > MAX_BYTES || file.size === 0)) {
      fail(t("photo_type"));
      return;
    }
    const body: Record<string, unknown> = { status: "resolved" };
    if (note.value.trim()) body.note = note.value.trim();
    if (reason.value) body.resolution_reason = reason.value;
    if (duplicate.value.trim()) body.duplicate_of = duplicate.value.trim();
    submit.disabled = true;
    void (async () => {
      try {
        if (file) await upload(g, file, (text) => (progress.textContent = text));
      } catch (error) {
        progress.textContent = "";
        submit.disabled = false;
        fail(explain(error));
        return;
      }
      progress.textContent = "";
      // on success the grievance is drawn again (this form with it); on a problem the form stays as it was
      if (!(await send("PATCH", `/staff/grievances/${encodeURIComponent(g.id)}`, body))) submit.disabled = false;
    })();
  });
  return form;
}
