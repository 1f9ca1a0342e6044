// Reference data for administrators (API.md 2.1-2.3): facilities, offices, emergency numbers and who's who.
// List, create (POST), edit (PUT, a full replacement, with If-Match: the ETag of the version opened, so a
// stale edit is a 412 shown as words) and delete. One form per kind, drawn from the field lists below;
// bilingual fields have an English and a Marathi input. A 422 names the fields in their labels.
import { ApiError, query, request, type Page, type Problem } from "./api";
import { field, h, replace, select, when } from "./dom";
import { bilingual, t, WARDS, wardName, type Key } from "./i18n";
import { allDepartments } from "./reference";
import type { Bilingual, Named } from "./types";

type Row = Record<string, unknown> & { id: string; updated_at: string };
type Options = () => [string, string][];

type Spec =
  | { key: string; label: Key; kind: "text" | "tel" | "email" | "url"; nullable?: boolean }
  | { key: string; label: Key; kind: "number" | "integer" }
  | { key: string; label: Key; kind: "bilingual"; nullable?: boolean }
  | { key: string; label: Key; kind: "select"; options: Options; nullable?: boolean }
  | { key: string; label: Key; kind: "boolean" }
  | { key: string; label: Key; kind: "services" };

interface Kind {
  id: string;
  label: Key;
  path: string;
  paged: boolean; // facilities: every facility by id, paged; the others are single pages
  fields: Spec[];
  summary: (row: Row) => string;
}

let facilityCategories: Named[] = [];
let departments: Named[] = [];
let offices: Row[] = [];
let shownKind = "facilities"; // kept across redraws (the language toggle draws the screen again)

const wards: Options = () => WARDS.map((w): [string, string] => [w[0], wardName(w[0])]);
const enumOf =
  (values: string[]): Options =>
  () =>
    values.map((v): [string, string] => [v, v.replace(/_/g, " ")]);
const named = (list: () => Named[]): Options => () => list().map((n): [string, string] => [n.id, bilingual(n.name)]);

const KINDS: Kind[] = [
  {
    id: "facilities",
    label: "ref_facilities",
    path: "/facilities",
    paged: true,
    fields: [
      { key: "category", label: "category", kind: "select", options: named(() => facilityCategories) },
      { key: "name", label: "ref_name", kind: "bilingual" },
      { key: "address", label: "address", kind: "bilingual" },
      { key: "ward", label: "ward", kind: "select", options: wards },
      { key: "lat", label: "ref_lat", kind: "number" },
      { key: "lng", label: "ref_lng", kind: "number" },
      { key: "phone", label: "phone", kind: "tel", nullable: true },
      { key: "hours", label: "ref_hours", kind: "bilingual", nullable: true },
      { key: "open_24x7", label: "ref_open_24x7", kind: "boolean" },
      { key: "website", label: "ref_website", kind: "url", nullable: true },
    ],
    summary: (r) => String(r.category),
  },
  {
    id: "offices",
    label: "ref_offices",
    path: "/offices",
    paged: false,
    fields: [
      { key: "type", label: "ref_type", kind: "select", options: enumOf(["ward_office", "cfc", "head_office"]) },
      { key: "ward", label: "ward", kind: "select", options: wards, nullable: true },
      { key: "name", label: "ref_name", kind: "bilingual" },
      { key: "address", label: "address", kind: "bilingual" },
      { key: "lat", label: "ref_lat", kind: "number" },
      { key: "lng", label: "ref_lng", kind: "number" },
      { key: "phone", label: "phone", kind: "tel", nullable: true },
      { key: "email", label: "ref_email", kind: "email", nullable: true },
      { key: "hours", label: "ref_hours", kind: "bilingual", nullable: true },
      { key: "services", label: "ref_services", kind: "services" },
    ],
    summary: (r) => String(r.type).replace(/_/g, " "),
  },
  {
    id: "emergency-numbers",
    label: "ref_contacts",
    path: "/emergency-numbers",
    paged: false,
    fields: [
      { key: "number", label: "ref_number", kind: "text" },
      { key: "name", label: "ref_name", kind: "bilingual" },
      {
        key: "category",
        label: "category",
        kind: "select",
        options: enumOf([
          "emergency", "police", "fire", "ambulance", "women", "children", "disaster", "pmc", "utility", "other",
        ]),
      },
      { key: "scope", label: "ref_scope", kind: "select", options: enumOf(["national", "state", "city"]) },
      { key: "hours", label: "ref_hours", kind: "bilingual", nullable: true },
      { key: "sample", label: "ref_sample", kind: "boolean" },
      { key: "sort", label: "ref_sort", kind: "integer" },
    ],
    summary: (r) => `${String(r.number)} · ${String(r.category)}`,
  },
  {
    id: "whos-who",
    label: "ref_whos_who",
    path: "/whos-who",
    paged: false,
    fields: [
      { key: "name", label: "ref_name", kind: "bilingual" },
      { key: "designation", label: "ref_designation", kind: "bilingual" },
      {
        key: "level",
        label: "ref_level",
        kind: "select",
        options: enumOf([
          "commissioner", "additional_commissioner", "deputy_commissioner", "assistant_commissioner",
          "department_head", "officer",
        ]),
      },
      { key: "department_id", label: "department", kind: "select", options: named(() => departments), nullable: true },
      { key: "ward", label: "ward", kind: "select", options: wards, nullable: true },
      {
        key: "office_id",
        label: "ref_office",
        kind: "select",
        options: () => offices.map((o): [string, string] => [o.id, bilingual(o.name as Bilingual)]),
        nullable: true,
      },
      { key: "phone", label: "phone", kind: "tel", nullable: true },
      { key: "email", label: "ref_email", kind: "email", nullable: true },
      { key: "sort", label: "ref_sort", kind: "integer" },
    ],
    summary: (r) => bilingual(r.designation as Bilingual),
  },
];

const idOf = (key: string, part = "") => `rf-${key}${part ? "-" + part : ""}`.replace(/_/g, "-");

/** The label a 422's `body.<path>` names: "Name (Marathi)" for body.name.mr, "Services 2" for services.1. */
function labelOf(kind: Kind, path: string): string {
  const parts = path.replace(/^body\.?/, "").split(".");
  const spec = kind.fields.find((f) => f.key === parts[0]);
  if (!spec) return parts.join(".") || t("ref_record");
  const base = t(spec.label);
  if (spec.kind === "bilingual" && (parts[1] === "en" || parts[1] === "mr")) return `${base} (${t(`ref_${parts[1]}` as Key)})`;
  if (spec.kind === "services" && parts[1] !== undefined) return `${base} ${Number(parts[1]) + 1}`;
  return base;
}

function invalidFields(problem: Problem | null): string[] {
  return problem?.errors?.map((e) => e.field) ?? [];
}

export async function renderReference(main: HTMLElement): Promise<void> {
  const message = h("div", { class: "message", role: "alert" });
  const saved = h("p", { class: "saved", role: "status" });
  const chooser = select(
    "kind",
    KINDS.map((k): [string, string] => [k.id, t(k.label)]),
  );
  chooser.disabled = true; // until the lists the forms offer have loaded
  const filter = select("category", [["", t("any")]]);
  const filterField = field("rf-filter", t("ref_filter"), filter);
  const slot = h("div");
  const body = h("tbody");
  const more = h("button", { type: "button", class: "more", hidden: true }, t("load_more"));
  replace(
    main,
    h("h1", { tabindex: "-1" }, t("nav_reference")),
    h(
      "form",
      { class: "filters", onsubmit: (event: Event) => event.preventDefault() },
      field("rf-kind", t("ref_kind"), chooser),
      filterField,
    ),
    message,
    saved,
    slot,
    h("h2", { id: "rf-list" }, t("ref_list")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "queue", "aria-labelledby": "rf-list" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [t("ref_id"), t("ref_name"), t("ref_what"), t("ward"), t("ref_updated"), t("actions")].map((x) =>
              h("th", { scope: "col" }, x),
            ),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  const fail = (error: unknown) => {
    message.textContent = error instanceof ApiError ? error.message : t("error");
  };

  try {
    const [categories, depts, offs] = await Promise.all([
      request<Page<Named>>("GET", "/facility-categories"),
      allDepartments(),
      request<Page<Row>>("GET", "/offices"),
    ]);
    facilityCategories = categories.data.items;
    departments = depts;
    offices = offs.data.items;
  } catch (error) {
    fail(error);
    return;
  }
  filter.append(...facilityCategories.map((c) => h("option", { value: c.id }, bilingual(c.name))));

  let kind = KINDS[0]!;
  let editing: { id: string; etag: string | null } | null = null;
  let cursor: string | null = null;
  const controls = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();

  function drawForm(): void {
    controls.clear();
    const inputs = kind.fields.map((spec) => {
      if (spec.kind === "bilingual") {
        const en = h("input", { type: "text", autocomplete: "off" });
        const mr = h("input", { type: "text", autocomplete: "off", lang: "mr" });
        controls.set(`${spec.key}.en`, en);
        controls.set(`${spec.key}.mr`, mr);
        return [
          field(idOf(spec.key, "en"), `${t(spec.label)} (${t("ref_en")})`, en),
          field(idOf(spec.key, "mr"), `${t(spec.label)} (${t("ref_mr")})`, mr),
        ];
      }
      let control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
      if (spec.kind === "select") {
        control = select(spec.key, [...(spec.nullable ? [["", "—"] as [string, string]] : []), ...spec.options()]);
      } else if (spec.kind === "boolean") {
        control = h("input", { type: "checkbox" });
      } else if (spec.kind === "services") {
        control = h("textarea", { rows: 3, "aria-describedby": "rf-services-hint" });
      } else if (spec.kind === "number" || spec.kind === "integer") {
        control = h("input", { type: "number", step: spec.kind === "number" ? "any" : "1", inputmode: "decimal" });
      } else {
        control = h("input", { type: spec.kind, autocomplete: "off" });
      }
      controls.set(spec.key, control);
      const wrapped = field(idOf(spec.key), t(spec.label), control);
      if (spec.kind === "boolean") wrapped.classList.add("check");
      return spec.kind === "services"
        ? [wrapped, h("p", { id: "rf-services-hint", class: "note" }, t("ref_services_hint"))]
        : [wrapped];
    });
    const actions = editing
      ? [
          h("button", { type: "submit", class: "primary" }, t("upd_save")),
          " ",
          h("button", { type: "button", onclick: () => void remove(editing!.id, editing!.etag) }, t("ref_delete")),
          " ",
          h("button", { type: "button", onclick: () => { editing = null; drawForm(); } }, t("ref_cancel")),
        ]
      : [h("button", { type: "submit", class: "primary" }, t("ref_create"))];
    const form = h(
      "form",
      { class: "action refdata" },
      h(
        "fieldset",
        {},
        h("legend", {}, editing ? `${t("ref_edit")} ${editing.id}` : `${t("ref_new")}: ${t(kind.label)}`),
        inputs.flat(),
        h("div", {}, actions),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void save();
    });
    replace(slot, form);
  }

  function fill(row: Row): void {
    for (const spec of kind.fields) {
      const value = row[spec.key];
      if (spec.kind === "bilingual") {
        const text = value as Bilingual | null;
        controls.get(`${spec.key}.en`)!.value = text?.en ?? "";
        controls.get(`${spec.key}.mr`)!.value = text?.mr ?? "";
      } else if (spec.kind === "boolean") {
        (controls.get(spec.key) as HTMLInputElement).checked = value === true;
      } else if (spec.kind === "services") {
        controls.get(spec.key)!.value = ((value as Bilingual[]) ?? []).map((s) => `${s.en} | ${s.mr}`).join("\n");
      } else {
        controls.get(spec.key)!.value = value === null || value === undefined ? "" : String(value);
      }
    }
  }

  /** The body of a POST or PUT: what the form holds, typed as the API reads it; the API checks the rest. */
  function collect(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const spec of kind.fields) {
      if (spec.kind === "bilingual") {
        const en = controls.get(`${spec.key}.en`)!.value.trim();
        const mr = controls.get(`${spec.key}.mr`)!.value.trim();
        out[spec.key] = spec.nullable && !en && !mr ? null : { en, mr };
        continue;
      }
      const control = controls.get(spec.key)!;
      const value = control.value.trim();
      if (spec.kind === "boolean") out[spec.key] = (control as HTMLInputElement).checked;
      else if (spec.kind === "services")
        out[spec.key] = value
          .split("\n")
          .filter((line) => line.trim())
          .map((line) => {
            const [en = "", mr = ""] = line.split("|").map((s) => s.trim());
            return { en, mr };
          });
      else if (spec.kind === "number" || spec.kind === "integer") out[spec.key] = value === "" ? null : Number(value);
      else out[spec.key] = value === "" && "nullable" in spec && spec.nullable ? null : value;
    }
    return out;
  }

  function explain(error: unknown): void {
    if (error instanceof ApiError && error.status === 412) {
      message.textContent = t("ref_stale");
    } else if (error instanceof ApiError && error.status === 422 && error.problem?.errors?.length) {
      message.textContent = error.problem.errors.map((e) => `${labelOf(kind, e.field)}: ${e.message}`).join("; ");
      for (const path of invalidFields(error.problem)) {
        const key = path.replace(/^body\./, "");
        const control = controls.get(key) ?? controls.get(key.split(".")[0]!);
        control?.setAttribute("aria-invalid", "true");
      }
    } else {
      fail(error);
    }
  }

  async function save(): Promise<void> {
    message.textContent = "";
    saved.textContent = "";
    for (const control of controls.values()) control.removeAttribute("aria-invalid");
    try {
      const current = editing;
      const answer = current
        ? await request<Row>("PUT", `${kind.path}/${encodeURIComponent(current.id)}`, collect(), current.etag ? { "if-match": current.etag } : {})
        : await request<Row>("POST", kind.path, collect());
      editing = { id: answer.data.id, etag: answer.etag };
      drawForm();
      fill(answer.data);
      saved.textContent = `${t("saved")} ${answer.data.id}`;
      await load(false);
    } catch (error) {
      explain(error);
    }
  }

  async function open(id: string): Promise<void> {
    message.textContent = "";
    saved.textContent = "";
    try {
      const answer = await request<Row>("GET", `${kind.path}/${encodeURIComponent(id)}`);
      editing = { id, etag: answer.etag };
      drawForm();
      fill(answer.data);
      controls.values().next().value?.focus();
    } catch (error) {
      fail(error);
    }
  }

  async function remove(id: string, etag: string | null): Promise<void> {
    message.textContent = "";
    saved.textContent = "";
    if (!confirm(`${t("ref_confirm_delete")} ${id}?`)) return;
    try {
      await request("DELETE", `${kind.path}/${encodeURIComponent(id)}`, undefined, etag ? { "if-match": etag } : {});
      if (editing?.id === id) {
        editing = null;
        drawForm();
      }
      saved.textContent = `${t("ref_deleted")} ${id}`;
      await load(false);
    } catch (error) {
      explain(error);
    }
  }

  async function load(append: boolean): Promise<void> {
    const params = kind.paged
      ? query({ limit: "100", category: filter.value || null, cursor: append ? cursor : null })
      : "";
    const page = (await request<Page<Row>>("GET", kind.path + params)).data;
    const rows = page.items.map((r) => {
      const name = bilingual(r.name as Bilingual);
      return h(
        "tr",
        { "data-id": r.id },
        h("td", {}, h("code", {}, r.id)),
        h("td", {}, name),
        h("td", {}, kind.summary(r)),
        h("td", {}, typeof r.ward === "string" ? wardName(r.ward) : "—"),
        h("td", {}, when(r.updated_at)),
        h(
          "td",
          {},
          h("button", { type: "button", "aria-label": `${t("ref_edit")} ${name}`, onclick: () => void open(r.id) }, t("ref_edit")),
          " ",
          h(
            "button",
            { type: "button", "aria-label": `${t("ref_delete")} ${name}`, onclick: () => void remove(r.id, null) },
            t("ref_delete"),
          ),
        ),
      );
    });
    if (append) body.append(...rows);
    else body.replaceChildren(...rows);
    cursor = page.next_cursor;
    more.hidden = cursor === null;
  }

  const switchKind = () => {
    kind = KINDS.find((k) => k.id === chooser.value) ?? KINDS[0]!;
    shownKind = kind.id;
    filterField.hidden = !kind.paged;
    editing = null;
    message.textContent = "";
    saved.textContent = "";
    drawForm();
    void load(false).catch(fail);
  };
  chooser.addEventListener("change", switchKind);
  chooser.disabled = false;
  filter.addEventListener("change", () => void load(false).catch(fail));
  more.addEventListener("click", () => void load(true).catch(fail));
  kind = KINDS.find((k) => k.id === shownKind) ?? KINDS[0]!;
  chooser.value = kind.id;
  filterField.hidden = !kind.paged;
  drawForm();
  try {
    await load(false);
  } catch (error) {
    fail(error);
  }
}
