// The ward scorecard (docs/accountability.md): the city's ward ranking for an IST month and one ward's 12
// months, each as a Chart.js chart with a table of the same figures beside it, and the ward's month by
// department as a table. Reads the public routes GET /scorecard/wards, /scorecard/wards/{ward} and
// /scorecard/wards/{ward}/trend. Loaded with its charts only when #/scorecard opens (main.ts).
// The month and ward are kept in the address (#/scorecard?month=YYYY-MM&ward=W07) without a new history entry.
import { api, ApiError, query } from "./api";
import type { Session } from "./auth";
import { barChart, barLineChart } from "./charts";
import { field, h, replace, select } from "./dom";
import { bilingual, lang, t, WARDS, wardName, type Key } from "./i18n";
import type { Bilingual } from "./types";

interface Figures {
  received: number;
  resolved: number;
  open: number | null;
  overdue_now: number | null;
  resolved_within_sla: number;
  sla_compliance_pct: number | null;
  median_hours_to_resolve: number | null;
  reopened_after_resolution: number;
  reopened_after_resolution_pct: number | null;
  ratings: number;
  mean_rating: number | null;
}
interface Ranking {
  month: string;
  wards: (Figures & { rank: number; ward: string; ward_name: Bilingual; score: number | null })[];
}
interface WardMonth {
  month: string;
  ward: string;
  score: number | null;
  totals: Figures;
  departments: (Figures & { department: string; department_name: Bilingual })[];
}
interface Trend {
  ward: string;
  months: (Figures & { month: string })[];
}

const IST_OFFSET_MS = 330 * 60 * 1000;

/** The IST month (YYYY-MM) of an instant: the API's default month and the latest one it answers. */
export function istMonth(now: number = Date.now()): string {
  return new Date(now + IST_OFFSET_MS).toISOString().slice(0, 7);
}

/** "Nov 2026" / "नोव्हें. २०२६" for a YYYY-MM, in the label language. */
function monthName(month: string): string {
  const [year, m] = month.split("-").map(Number) as [number, number];
  return new Intl.DateTimeFormat(lang() === "mr" ? "mr-IN" : "en-IN", {
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, m - 1, 1)));
}

const dash = (value: number | null | undefined): string | number => (value === null || value === undefined ? "—" : value);
/** A score, percentage or mean rating: one decimal as the API rounds it (100.0, 87.5), "—" when null. */
const one = (value: number | null): string => (value === null ? "—" : value.toFixed(1));

function table(caption: string, columns: Key[], rows: { key: string; head: string; cells: (string | number)[] }[]): HTMLElement {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "queue figures" },
      h("caption", { class: "sr-only" }, caption), // the section's heading says it on screen
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, t(c))))),
      h(
        "tbody",
        {},
        rows.map((r) =>
          h("tr", { "data-key": r.key }, h("th", { scope: "row" }, r.head), r.cells.map((c) => h("td", {}, c))),
        ),
      ),
    ),
  );
}

function rankingSection(ranking: Ranking): HTMLElement {
  const title = `${t("sc_ranking")}, ${monthName(ranking.month)}`;
  const labels = ranking.wards.map((w) => `${w.rank}. ${w.ward} ${bilingual(w.ward_name)}`);
  return h(
    "section",
    { class: "scorecard-ranking", "aria-labelledby": "sc-ranking" },
    h("h2", { id: "sc-ranking" }, title),
    h("p", { class: "note" }, t("sc_score_note")),
    barChart(
      `${title}: ${t("sc_ranking_chart")}`,
      labels,
      [{ label: t("sc_score"), data: ranking.wards.map((w) => w.score) }],
      { horizontal: true, max: 100, axisTitle: t("sc_score"), height: 440 },
    ),
    table(
      title,
      ["sc_ward_col", "sc_rank", "sc_score", "sc_sla_pct", "sc_reopened_pct", "sc_received", "sc_resolved", "sc_open", "sc_overdue", "sc_mean_rating"],
      ranking.wards.map((w) => ({
        key: w.ward,
        head: `${w.ward} ${bilingual(w.ward_name)}`,
        cells: [
          w.rank,
          one(w.score),
          one(w.sla_compliance_pct),
          one(w.reopened_after_resolution_pct),
          w.received,
          w.resolved,
          dash(w.open),
          dash(w.overdue_now),
          one(w.mean_rating),
        ],
      })),
    ),
  );
}

function trendSection(trend: Trend): HTMLElement {
  const title = `${wardName(trend.ward)}: ${t("sc_trend")} ${monthName(trend.months[0]!.month)} – ${monthName(trend.months.at(-1)!.month)}`;
  return h(
    "section",
    { class: "scorecard-trend", "aria-labelledby": "sc-trend" },
    h("h2", { id: "sc-trend" }, title),
    barLineChart(
      `${title}: ${t("sc_trend_chart")}`,
      trend.months.map((m) => monthName(m.month)),
      [
        { label: t("sc_received"), data: trend.months.map((m) => m.received) },
        { label: t("sc_resolved"), data: trend.months.map((m) => m.resolved) },
        { label: t("sc_sla_pct"), data: trend.months.map((m) => m.sla_compliance_pct), type: "line", axis: "y1" },
      ],
      { counts: t("sc_counts"), percent: t("sc_sla_pct") },
    ),
    table(
      title,
      ["sc_month_col", "sc_received", "sc_resolved", "sc_sla_pct", "sc_reopened_pct", "sc_median_hours", "sc_mean_rating"],
      trend.months.map((m) => ({
        key: m.month,
        head: monthName(m.month),
        cells: [
          m.received,
          m.resolved,
          one(m.sla_compliance_pct),
          one(m.reopened_after_resolution_pct),
          dash(m.median_hours_to_resolve),
          one(m.mean_rating),
        ],
      })),
    ),
  );
}

function departmentSection(ward: WardMonth): HTMLElement {
  const title = `${wardName(ward.ward)}: ${t("sc_departments")}, ${monthName(ward.month)}`;
  const row = (key: string, head: string, f: Figures) => ({
    key,
    head,
    cells: [f.received, f.resolved, dash(f.open), dash(f.overdue_now), one(f.sla_compliance_pct), dash(f.median_hours_to_resolve)],
  });
  return h(
    "section",
    { class: "scorecard-departments", "aria-labelledby": "sc-departments" },
    h("h2", { id: "sc-departments" }, title),
    table(
      title,
      ["department", "sc_received", "sc_resolved", "sc_open", "sc_overdue", "sc_sla_pct", "sc_median_hours"],
      [
        ...ward.departments.map((d) => row(d.department, bilingual(d.department_name), d)),
        row("total", t("total"), ward.totals),
      ],
    ),
  );
}

export async function renderScorecard(main: HTMLElement, session: Session): Promise<void> {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const latest = istMonth();
  const asked = params.get("month");
  const month = h("input", {
    name: "month",
    type: "month",
    max: latest,
    required: true,
    value: asked && /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(asked) && asked <= latest ? asked : latest,
  });
  const askedWard = params.get("ward");
  const defaultWard = WARDS.some((w) => w[0] === askedWard) ? askedWard! : (session.ward ?? "W07");
  const ward = select("ward", WARDS.map((w): [string, string] => [w[0], wardName(w[0])]), defaultWard);
  const message = h("p", { class: "message", role: "alert" });
  const status = h("p", { class: "status-line", role: "status" });
  const results = h("div", { class: "scorecard" });
  const form = h(
    "form",
    { class: "filters", "aria-label": t("sc_title") },
    field("sc-month", t("sc_month"), month),
    field("sc-ward", t("sc_ward"), ward),
    h("button", { type: "submit", class: "primary" }, t("sc_show")),
  );

  async function show(): Promise<void> {
    const chosen = month.value || latest;
    if (chosen > latest) {
      // the picker's max stops most; a typed later month is refused here, as the API would (422 query.month)
      message.textContent = t("sc_future");
      return;
    }
    message.textContent = "";
    status.textContent = t("loading");
    history.replaceState(null, "", `#/scorecard${query({ month: chosen, ward: ward.value })}`);
    const code = encodeURIComponent(ward.value);
    try {
      const [ranking, wardMonth, trend] = await Promise.all([
        api<Ranking>("GET", `/scorecard/wards${query({ month: chosen })}`),
        api<WardMonth>("GET", `/scorecard/wards/${code}${query({ month: chosen })}`),
        api<Trend>("GET", `/scorecard/wards/${code}/trend${query({ month: chosen })}`),
      ]);
      replace(results, rankingSection(ranking), trendSection(trend), departmentSection(wardMonth));
      status.textContent = "";
    } catch (error) {
      status.textContent = "";
      message.textContent = error instanceof ApiError ? error.message : t("error");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void show();
  });
  replace(main, h("h1", { tabindex: "-1" }, t("sc_title")), form, message, status, results);
  await show();
}
