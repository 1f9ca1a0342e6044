// One grievance in the staff view (GET /grievances/{id}): facts, timeline, photos, and the actions the
// lifecycle allows from its status (API.md 3.9), sent as PATCH /staff/grievances/{id}. The API decides;
// its 409/422 problems are shown as readable messages and nothing is changed on the page.
import { api, ApiError } from "./api";
import { field, h, replace, select, when } from "./dom";
import { bilingual, statusName, t, wardName, type Key } from "./i18n";
import { allDepartments } from "./reference";
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

  async function change(body: Record<string, unknown>): Promise<void> {
    message.textContent = "";
    saved.textContent = "";
    try {
      const updated = await api<Grievance>("PATCH", `/staff/grievances/${encodeURIComponent(g.id)}`, body);
      draw(main, updated, t("saved"));
      main.querySelector<HTMLElement>("h1")?.focus();
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : t("error");
    }
  }

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
      actions(g, change),
    ),
    location(g),
    photos(g.photos),
    // Moderation (hide a photo, redact by drawing rectangles, edit the description) belongs here
    // (issue 20's routes under /staff/grievances/{id}/…): not built in this first part.
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
              : e.type + (e.level !== null ? ` ${e.level}` : "") + (e.rating !== null ? ` ${e.rating}/5` : ""),
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

function actions(g: Grievance, change: Change): HTMLElement {
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
  if (s === "in_progress") {
    // A resolution photo (issue 20: POST /staff/grievances/{id}/photos) goes here once that screen is built;
    // until then staff resolve with a reason.
    forms.push(
      form(
        "act-resolve",
        t("resolve"),
        [
          text("note", "resolve-note", t("note"), true),
          field(
            "resolve-reason",
            t("resolution_reason"),
            select("resolution_reason", [
              ["", t("reason_none")],
              ["no_fix_needed", t("reason_no_fix_needed")],
              ["duplicate", t("reason_duplicate")],
              ["other_agency", t("reason_other_agency")],
            ]),
          ),
          text("duplicate_of", "resolve-duplicate", t("duplicate_of")),
        ],
        t("resolve"),
        (d) => ({
          status: "resolved",
          note: String(d.get("note") ?? "").trim(),
          resolution_reason: String(d.get("resolution_reason") ?? ""),
          duplicate_of: String(d.get("duplicate_of") ?? "").trim(),
        }),
        change,
      ),
    );
  }
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

function photos(list: Photo[]): HTMLElement {
  const ready = list.filter((p) => p.status === "ready" && p.thumbnail_url && p.url);
  const dialog = h("dialog", { class: "photo", "aria-label": t("photo_full") });
  return h(
    "section",
    { "aria-labelledby": "photos-title" },
    h("h2", { id: "photos-title" }, t("photos")),
    ready.length
      ? h(
          "ul",
          { class: "thumbs" },
          ready.map((p, i) =>
            h(
              "li",
              {},
              h(
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
                h("img", { src: p.thumbnail_url!, alt: `${t("photos")} ${i + 1}`, loading: "lazy" }),
              ),
            ),
          ),
        )
      : h("p", {}, t("no_photos")),
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
