// Surveys for staff (API.md 5): the list (GET /admin/surveys, paged), a survey's live results per question
// split citizen/tourist (GET /admin/surveys/{id}/results), CSV download, open/close. Each question's counts
// are a Chart.js bar chart (citizens and tourists side by side; charts.ts, a chunk loaded with the first
// survey shown) with the same figures in a table below it.
import { api, ApiError, type Page } from "./api";
import { downloadCsv } from "./download";
import { h, replace, when } from "./dom";
import { bilingual, t, type Key } from "./i18n";
import type { Bilingual } from "./types";

interface Survey {
  id: string;
  status: string;
  audience: string;
  title: Bilingual;
  created_at: string;
  opened_at: string | null;
  closed_at: string | null;
  questions?: { id: string; type: string; text: Bilingual; options: { id: string; text: Bilingual }[] }[];
}
interface Split {
  answered: number;
  counts: Record<string, number>;
  mean: number | null;
  nps: number | null;
}
interface Results {
  response_count: { all: number; citizen: number; tourist: number };
  questions: ({ id: string; type: string } & Record<"all" | "citizen" | "tourist", Split>)[];
}

export async function renderSurveys(main: HTMLElement): Promise<void> {
  const body = h("tbody");
  const note = h("p", { class: "status-line", role: "status" });
  replace(
    main,
    h("h1", { tabindex: "-1" }, t("nav_surveys")),
    note,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "queue" },
        h("caption", { class: "sr-only" }, t("nav_surveys")),
        h("thead", {}, h("tr", {}, [t("survey"), t("status"), t("created")].map((x) => h("th", { scope: "col" }, x)))),
        body,
      ),
    ),
  );
  try {
    const page = await api<Page<Survey>>("GET", "/admin/surveys?limit=100");
    for (const s of page.items) {
      body.appendChild(
        h(
          "tr",
          { "data-id": s.id },
          h("td", {}, h("a", { href: `#/survey/${s.id}` }, bilingual(s.title))),
          h("td", {}, t(`survey_${s.status}` as Key)),
          h("td", {}, when(s.created_at)),
        ),
      );
    }
    note.textContent = page.items.length ? "" : t("none");
  } catch (error) {
    note.textContent = error instanceof ApiError ? error.message : t("error");
  }
}

export async function renderSurvey(main: HTMLElement, id: string): Promise<void> {
  const message = h("div", { class: "message", role: "alert" });
  let survey: Survey;
  let results: Results;
  try {
    [survey, results] = await Promise.all([
      api<Survey>("GET", `/surveys/${encodeURIComponent(id)}`),
      api<Results>("GET", `/admin/surveys/${encodeURIComponent(id)}/results`),
    ]);
  } catch (error) {
    replace(main, h("p", { class: "error", role: "alert" }, error instanceof ApiError ? error.message : t("error")));
    return;
  }
  const charts = await import("./charts");
  async function act(action: "open" | "close"): Promise<void> {
    try {
      await api("POST", `/admin/surveys/${encodeURIComponent(id)}/${action}`);
      await renderSurvey(main, id);
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : t("error");
    }
  }
  const questions = new Map((survey.questions ?? []).map((q) => [q.id, q]));
  replace(
    main,
    h("p", {}, h("a", { href: "#/surveys" }, "← ", t("nav_surveys"))),
    h("h1", { tabindex: "-1" }, bilingual(survey.title), " ", h("span", { class: "pill" }, t(`survey_${survey.status}` as Key))),
    message,
    h(
      "p",
      { class: "survey-actions" },
      survey.status === "draft" ? h("button", { type: "button", class: "primary", onclick: () => void act("open") }, t("survey_open_action")) : null,
      survey.status === "open" ? h("button", { type: "button", class: "primary", onclick: () => void act("close") }, t("survey_close_action")) : null,
      " ",
      h(
        "button",
        { type: "button", class: "primary", onclick: () => void downloadCsv(`/admin/surveys/${encodeURIComponent(id)}/export.csv`, `${id}.csv`).catch((e) => (message.textContent = String(e))) },
        t("download_csv"),
      ),
    ),
    h("p", {}, `${t("responses")}: ${results.response_count.all} (${t("citizens")} ${results.response_count.citizen}, ${t("tourists")} ${results.response_count.tourist})`),
    results.questions.map((r) => {
      const q = questions.get(r.id);
      const label = (key: string) => bilingual(q?.options.find((o) => o.id === key)?.text) || key;
      const keys = Object.keys(r.all.counts);
      const title = q ? bilingual(q.text) : r.id;
      return h(
        "section",
        { class: "question", "aria-labelledby": `q-${r.id}` },
        h("h2", { id: `q-${r.id}` }, title),
        r.type === "text"
          ? h("p", { class: "note" }, `${t("answered")}: ${r.all.answered} (${t("text_in_csv")})`)
          : [
              charts.barChart(
                `${title}: ${t("survey_chart")}`,
                keys.map(label),
                [
                  { label: t("citizens"), data: keys.map((k) => r.citizen.counts[k] ?? 0) },
                  { label: t("tourists"), data: keys.map((k) => r.tourist.counts[k] ?? 0) },
                ],
                { axisTitle: t("responses"), height: 260 },
              ),
              h(
              "table",
              { class: "queue results" },
              h(
                "thead",
                {},
                h("tr", {}, [t("answer"), t("citizens"), t("tourists"), t("total")].map((x) => h("th", { scope: "col" }, x))),
              ),
              h(
                "tbody",
                {},
                keys.map((k) =>
                  h(
                    "tr",
                    {},
                    h("th", { scope: "row" }, label(k)),
                    h("td", {}, r.citizen.counts[k] ?? 0),
                    h("td", {}, r.tourist.counts[k] ?? 0),
                    h("td", {}, r.all.counts[k] ?? 0),
                  ),
                ),
              ),
            ),
            ],
        r.all.mean !== null ? h("p", {}, `${t("mean")}: ${r.all.mean} (${t("citizens")} ${r.citizen.mean ?? "—"}, ${t("tourists")} ${r.tourist.mean ?? "—"})`) : null,
        r.all.nps !== null ? h("p", {}, `NPS: ${r.all.nps}`) : null,
      );
    }),
  );
}
