// The grievance desk: the staff queue (GET /staff/grievances, API.md 3.8) with its filters and cursor
// paging, overdue rows highlighted, and the SLA counts (GET /staff/grievances/stats).
import { api, ApiError, query, type Page } from "./api";
import type { Session } from "./auth";
import { field, h, replace, select, when } from "./dom";
import { bilingual, statusName, t, WARDS, wardName } from "./i18n";
import { allCategories, allDepartments } from "./reference";
import { STATUSES, type QueueItem, type Stats } from "./types";

export interface Filters {
  status: string;
  ward: string;
  department: string;
  category: string;
  overdue: string;
}

// Kept across screens so "back to the desk" returns to the same filters.
const filters: Filters = { status: "open", ward: "", department: "", category: "", overdue: "" };

export async function renderDesk(main: HTMLElement, session: Session): Promise<void> {
  const [departments, categories] = await Promise.all([allDepartments(), allCategories()]);
  const wardOfficer = session.role === "ward_officer";
  if (wardOfficer) filters.ward = session.ward ?? "";

  const form = h(
    "form",
    { class: "filters", "aria-labelledby": "filters-title" },
    h("h2", { id: "filters-title", class: "sr-only" }, t("filters")),
    field(
      "f-status",
      t("status"),
      select(
        "status",
        ["open", "all", ...STATUSES].map((s) => [s, statusName(s)]),
        filters.status,
      ),
    ),
    field(
      "f-ward",
      t("ward"),
      wardOfficer
        ? select("ward", [[filters.ward, wardName(filters.ward)]], filters.ward)
        : select("ward", [["", t("all_wards")], ...WARDS.map((w): [string, string] => [w[0], wardName(w[0])])], filters.ward),
    ),
    field(
      "f-department",
      t("department"),
      select("department", [["", t("any")], ...departments.map((d): [string, string] => [d.id, bilingual(d.name)])], filters.department),
    ),
    field(
      "f-category",
      t("category"),
      select("category", [["", t("any")], ...categories.map((c): [string, string] => [c.id, bilingual(c.name)])], filters.category),
    ),
    field(
      "f-overdue",
      t("overdue"),
      select(
        "overdue",
        [
          ["", t("any")],
          ["true", t("yes")],
          ["false", t("no")],
        ],
        filters.overdue,
      ),
    ),
    h("button", { type: "submit", class: "primary" }, t("apply")),
  );

  const statsBox = h("section", { class: "stats", "aria-labelledby": "stats-title" });
  const status = h("p", { class: "status-line", role: "status", "aria-live": "polite" });
  const body = h("tbody");
  const more = h("button", { type: "button", class: "more", hidden: true }, t("load_more"));
  const categoryName = new Map(categories.map((c) => [c.id, c.name]));

  const table = h(
    "table",
    { class: "queue" },
    h("caption", { class: "sr-only" }, t("desk_title")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        [t("id"), t("category"), t("status"), t("ward"), t("due"), t("assignee"), t("address")].map((c) =>
          h("th", { scope: "col" }, c),
        ),
      ),
    ),
    body,
  );

  replace(
    main,
    h("h1", { tabindex: "-1" }, t("desk_title")),
    form,
    statsBox,
    status,
    h("div", { class: "table-wrap" }, table),
    more,
  );

  let cursor: string | null = null;
  let generation = 0; // a page answered after the filters changed (or a later reset) is dropped, not appended

  function row(item: QueueItem): HTMLTableRowElement {
    return h(
      "tr",
      { class: item.overdue ? "overdue" : "", "data-id": item.id },
      h(
        "td",
        {},
        h("a", { href: `#/grievance/${item.id}`, "aria-label": `${t("open_grievance")} ${item.id}` }, item.id),
      ),
      h("td", {}, bilingual(categoryName.get(item.category)) || item.category),
      h("td", {}, statusName(item.status)),
      h("td", {}, wardName(item.ward)),
      h(
        "td",
        {},
        when(item.due_at),
        item.overdue ? h("span", { class: "badge overdue-badge" }, " ", t("overdue")) : null,
      ),
      h("td", {}, item.assignee ?? "—"),
      h("td", {}, [item.address, item.landmark].filter(Boolean).join(", ") || "—"),
    );
  }

  async function load(reset: boolean): Promise<void> {
    if (reset) {
      cursor = null;
      body.replaceChildren();
      generation += 1;
    }
    const asked = generation;
    status.textContent = t("loading");
    try {
      const page = await api<Page<QueueItem>>(
        "GET",
        "/staff/grievances" + query({ ...filters, limit: "25", cursor }),
      );
      if (asked !== generation) return;
      for (const item of page.items) body.appendChild(row(item));
      cursor = page.next_cursor;
      more.hidden = cursor === null;
      status.textContent = body.children.length === 0 ? t("no_results") : "";
    } catch (error) {
      if (asked !== generation) return;
      status.textContent = error instanceof ApiError ? error.message : t("error");
      status.classList.add("error");
    }
  }

  async function loadStats(): Promise<void> {
    try {
      const stats = await api<Stats>("GET", "/staff/grievances/stats" + query({ ward: filters.ward }));
      const pct = stats.sla.compliance_pct;
      replace(
        statsBox,
        h("h2", { id: "stats-title" }, t("stats")),
        h(
          "dl",
          {},
          h("div", {}, h("dt", {}, t("total")), h("dd", {}, stats.total)),
          h("div", { class: "overdue" }, h("dt", {}, t("overdue")), h("dd", {}, stats.overdue)),
          h("div", {}, h("dt", {}, t("compliance")), h("dd", {}, pct === null ? "—" : `${pct}%`)),
          h("div", {}, h("dt", {}, t("resolved_count")), h("dd", {}, stats.sla.resolved)),
          STATUSES.map((s) => h("div", {}, h("dt", {}, statusName(s)), h("dd", {}, stats.by_status[s] ?? 0))),
        ),
      );
    } catch (error) {
      replace(statsBox, h("p", { class: "error" }, error instanceof ApiError ? error.message : t("error")));
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    for (const key of Object.keys(filters) as (keyof Filters)[]) filters[key] = String(data.get(key) ?? "");
    void load(true);
    void loadStats();
  });
  more.addEventListener("click", () => void load(false));
  await Promise.all([load(true), loadStats()]);
}
