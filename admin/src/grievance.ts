// One grievance in the staff view (GET /grievances/{id}): facts, timeline, photos, and the actions the
// lifecycle allows from its status (API.md 3.9), sent as PATCH /staff/grievances/{id}. The API decides;
// its 409/422 problems are shown as readable messages and nothing is changed on the page.
import { api, ApiError } from "./api";
import { field, h, replace, when } from "./dom";
import { bilingual, statusName, t, wardName, type Key } from "./i18n";
import { descriptionForm, moderationLog, photoPanel } from "./moderation";
import { allDepartments } from "./reference";
import { explain, resolveForm, type Send } from "./resolve";
import { OPEN, type Bilingual, type Grievance, type Photo } from "./types";

const departmentNames = new Map<string, Bilingual>();

export async function renderGrievance(main: HTMLElement, id: string): Promise<void> {
  replace(main, h("p", { role: "status" }, t("loading")));
  let grievance: Grievance;
  try {
    grievance = await api<Grievance>("GET", `/grievances/${encodeURIComponent(id)}`);
    for (const d of await allDepartments()) departmentNames.set(d.id, d.name);
  } catch (error) {
    replace(
      main,
      h("p", { class: "error", role: "alert" }, error instanceof ApiError ? error.message : t("error")),
      h("a", { href: "#/desk" }, t("back")),
    );
    return;
  }
  draw(main, grievance, null);
}

function draw(main: HTMLElement, g: Grievance, flash: string | null): void {
  const message = h("div", { class: "message", role: "alert", "aria-live": "assertive" });
  const saved = h("p", { class: "saved", role: "status" }, flash ?? "");

  // Every change (PATCH, a moderation POST) answers with the grievance's staff view: drawn again at once.
  const send: Send = async (method, path, body) => {
    message.textContent = "";
    saved.textContent = "";
    try {
      const updated = await api<Grievance>(method, path, body);
      draw(main, updated, t("saved"));
      main.querySelector<HTMLElement>("h1")?.focus();
      return true;
    } catch (error) {
      message.textContent = explain(error);
      return false;
    }
  };
  const change = async (body: Record<string, unknown>): Promise<void> => {
    await send("PATCH", `/staff/grievances/${encodeURIComponent(g.id)}`, body);
  };
  const fail = (text: string): void => {
    saved.textContent = "";
    message.textContent = text;
  };

  const facts: [Key, string][] = [
    ["status", statusName(g.status)],
    ["category", bilingual(g.category_name)],
    ["ward", wardName(g.ward)],
    ["department", bilingual(departmentNames.get(g.department)) || g.department],
    ["created", when(g.created_at)],
    ["due", when(g.due_at) + (g.overdue ? ` — ${t("overdue")}` : "")],
    ["escalation", String(g.escalation_level)],
    ["assignee", g.staff?.assignee ?? "—"],
    ["sla_due", when(g.staff?.sla_due_at ?? null)],
    ["channel", g.staff?.channel ?? "—"],
    ["owner_phone", g.staff?.owner_phone_number ?? "—"],
    ["address", [g.address, g.landmark].filter(Boolean).join(", ") || "—"],
  ];
  if (g.resolution) {
    const r = g.resolution;
    const why = r.reason === "fixed" ? t("res_fixed") : t(`reason_${r.reason}` as Key);
    facts.push(["resolution", (why ?? r.reason) + (r.duplicate_of ? ` (${r.duplicate_of})` : "")]);
  }

  replace(
    main,
    h("p", {}, h("a", { href: "#/desk" }, "← ", t("back"))),
    h("h1", { tabindex: "-1" }, g.id, " ", h("span", { class: `pill status-${g.status}` }, statusName(g.status))),
    saved,
    message,
    h(
      "div",
      { class: "detail" },
      h(
        "section",
        { "aria-labelledby": "facts-title", class: g.overdue ? "facts overdue" : "facts" },
        h("h2", { id: "facts-title", class: "sr-only" }, g.id),
        h("dl", {}, facts.map(([k, v]) => h("div", {}, h("dt", {}, t(k)), h("dd", {}, v)))),
        h("h3", {}, t("description")),
        h("p", { class: "description" }, g.description),
      ),
      actions(g, change, resolveForm(g, send, fail)),
    ),
    location(g),
    photos(g, send, fail),
    h(
      "section",
      { "aria-labelledby": "moderation-title" },
      h("h2", { id: "moderation-title" }, t("moderation")),
      descriptionForm(g, send),
      moderationLog(g),
    ),
    h(
      "section",
      { "aria-labelledby": "timeline-title" },
      h("h2", { id: "timeline-title" }, t("timeline")),
      h(
        "ol",
        { class: "timeline" },
        g.timeline.map((e) =>
          h(
            "li",
            {},
            h("time", { datetime: e.at }, when(e.at)),
            " · ",
            t(`actor_${e.actor}` as Key) ?? e.actor,
            " · ",
            e.type === "status_changed"
              ? `${e.from_status ? statusName(e.from_status) : "—"} → ${statusName(e.to_status ?? "")}`
              : (t(`tl_${e.type}` as Key) ?? e.type) + (e.level !== null ? ` ${e.level}` : "") + (e.rating !== null ? ` ${e.rating}/5` : ""),
            e.note ? h("blockquote", {}, e.note) : null,
          ),
        ),
      ),
    ),
  );
}

type Change = (body: Record<string, unknown>) => Promise<void>;

function form(id: string, legend: string, controls: HTMLElement[], submit: string, build: (d: FormData) => Record<string, unknown>, change: Change): HTMLFormElement {
  const el = h(
    "form",
    { class: "action", id },
    h("fieldset", {}, h("legend", {}, legend), controls, h("button", { type: "submit" }, submit)),
  );
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(el);
    const body = build(data);
    for (const [k, v] of Object.entries(body)) if (v === "" || v === null) delete body[k];
    void change(body);
  });
  return el;
}

function text(name: string, id: string, label: string, long = false): HTMLElement {
  const control = long ? h("textarea", { name, rows: 2, maxlength: 1000 }) : h("input", { name, type: "text", maxlength: 100 });
  return field(id, label, control);
}

function actions(g: Grievance, change: Change, resolve: HTMLFormElement): HTMLElement {
  const forms: HTMLElement[] = [];
  const s = g.status;
  if (s === "submitted" || s === "reopened") {
    forms.push(
      form("act-assign", t("assign"), [text("assignee", "assign-assignee", t("assignee"))], t("assign"),
        (d) => ({ status: "assigned", assignee: String(d.get("assignee") ?? "").trim() }), change),
    );
  }
  if (s === "assigned") {
    forms.push(form("act-start", t("start"), [], t("start"), () => ({ status: "in_progress" }), change));
  }
  if (s === "in_progress") forms.push(resolve); // with a photo of the fix or a reason (admin/src/resolve.ts)
  if (s === "assigned" || s === "in_progress") {
    forms.push(
      form("act-reassign", t("reassign"), [text("assignee", "reassign-assignee", t("assignee"))], t("reassign"),
        (d) => ({ assignee: String(d.get("assignee") ?? "").trim() }), change),
    );
  }
  if (OPEN.includes(s)) {
    forms.push(
      form("act-reject", t("reject"), [text("note", "reject-note", t("note"), true)], t("reject"),
        (d) => ({ status: "rejected", note: String(d.get("note") ?? "").trim() }), change),
    );
  }
  if (s !== "closed" && s !== "rejected") {
    forms.push(
      form(
        "act-note",
        t("add_note"),
        [text("note", "note-note", t("note"), true), text("internal_note", "note-internal", t("internal_note"), true)],
        t("add_note"),
        (d) => ({ note: String(d.get("note") ?? "").trim(), internal_note: String(d.get("internal_note") ?? "").trim() }),
        change,
      ),
    );
  }
  return h(
    "section",
    { class: "actions", "aria-labelledby": "actions-title" },
    h("h2", { id: "actions-title" }, t("actions")),
    forms.length ? forms : h("p", {}, t("no_actions")),
  );
}

/** Before (the citizen's) and after (photos of the fix) as thumbnails, full size on click; each citizen photo
 * ready and not hidden can be moderated (admin/src/moderation.ts), in a panel under the thumbnails. */
function photos(g: Grievance, send: Send, fail: (m: string) => void): HTMLElement {
  const dialog = h("dialog", { class: "photo", "aria-label": t("photo_full") });
  const panel = h("div", { class: "panel" });
  const thumbs = (list: Photo[], label: string, moderate: boolean) =>
    h(
      "ul",
      { class: "thumbs" },
      list.map((p, i) =>
        h(
          "li",
          {},
          p.status === "ready" && p.thumbnail_url && p.url
            ? h(
                "button",
                {
                  type: "button",
                  class: "thumb",
                  onclick: () => {
                    replace(
                      dialog,
                      h("img", { src: p.url!, alt: `${t("photo_full")} ${i + 1}` }),
                      h("form", { method: "dialog" }, h("button", { type: "submit", autofocus: true }, t("close"))),
                    );
                    dialog.showModal();
                  },
                },
                h("img", { src: p.thumbnail_url, alt: `${label} ${i + 1}`, loading: "lazy" }),
              )
            : h("span", { class: "pending" }, `${label} ${i + 1}: `, p.status === "rejected" ? t("photo_rejected") : t("badge_processing")),
          p.hidden ? h("span", { class: "badge" }, t("badge_hidden")) : null,
          p.redacted ? h("span", { class: "badge" }, t("badge_redacted")) : null,
          moderate && p.status === "ready" && !p.hidden && p.url
            ? h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  onclick: () => {
                    replace(panel, photoPanel(g, p, i + 1, send, fail, () => panel.replaceChildren()));
                    panel.querySelector<HTMLElement>("h3")?.focus();
                  },
                },
                `${t("moderate_photo")} ${i + 1}`,
              )
            : null,
        ),
      ),
    );
  const shown = (list: Photo[]) => list.filter((p) => p.status !== "processing" || p.kind === "resolution");
  const before = shown(g.photos);
  const after = shown(g.resolution_photos ?? []);
  return h(
    "section",
    { "aria-labelledby": "photos-title" },
    h("h2", { id: "photos-title" }, t("photos")),
    h("h3", {}, t("before_photos")),
    before.length ? thumbs(before, t("photos"), true) : h("p", {}, t("no_photos")),
    h("h3", {}, t("after_photos")),
    after.length ? thumbs(after, t("after_photo"), false) : h("p", {}, t("no_after_photos")),
    panel,
    dialog,
  );
}

function location(g: Grievance): HTMLElement | null {
  if (g.lat === null || g.lng === null) return null; // an Open311 request by address only
  const holder = h("div", { class: "minimap", role: "img", "aria-label": `${t("location")}: ${wardName(g.ward)}` });
  const at = { ward: g.ward, lat: g.lat, lng: g.lng, overdue: g.overdue };
  // the map chunk (Leaflet) loads once the holder is in the page
  queueMicrotask(() => void import("./map").then((m) => m.locate(holder, at)).catch(() => holder.remove()));
  return h("section", { "aria-labelledby": "location-title" }, h("h2", { id: "location-title" }, t("location")), holder);
}
