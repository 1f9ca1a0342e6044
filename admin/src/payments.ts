// Payments for staff (API.md 4.10): the day's collections by kind and ward (GET /staff/collections) and
// the exceptions to work, flagged and refund_due (GET /staff/payments, paged). Money is integer paise.
import { api, ApiError, query, type Page } from "./api";
import type { Session } from "./auth";
import { field, h, replace, select, when } from "./dom";
import { t, WARDS, wardName, type Key } from "./i18n";

interface Tally {
  count: number;
  amount_paise: number;
}
interface Collections extends Tally {
  date: string;
  ward: string | null;
  by_kind: (Tally & { kind: string })[];
  by_ward: (Tally & { ward: string })[];
  exceptions: { flagged: Tally; refund_due: Tally };
}
interface Payment {
  id: string;
  kind: string;
  reference: string;
  ward: string;
  status: string;
  status_reason: string | null;
  amount_paise: number;
  captured_amount_paise: number | null;
  created_at: string;
}

const rupees = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" });
export const money = (paise: number | null): string => (paise === null ? "—" : rupees.format(paise / 100));

function todayIst(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Kolkata" }).format(new Date());
}

export async function renderPayments(main: HTMLElement, session: Session): Promise<void> {
  const wardOfficer = session.role === "ward_officer";
  const date = h("input", { type: "date", name: "date", value: todayIst(), max: todayIst() });
  const ward = wardOfficer
    ? select("ward", [[session.ward ?? "", wardName(session.ward ?? "")]], session.ward ?? "")
    : select("ward", [["", t("all_wards")], ...WARDS.map((w): [string, string] => [w[0], wardName(w[0])])]);
  const form = h(
    "form",
    { class: "filters" },
    field("p-date", t("date"), date),
    field("p-ward", t("ward"), ward),
    h("button", { type: "submit", class: "primary" }, t("apply")),
  );
  const summary = h("section", { "aria-labelledby": "collections-title" });
  const lists = h("div", { class: "detail" });
  replace(main, h("h1", { tabindex: "-1" }, t("nav_payments")), form, summary, lists);

  async function collections(): Promise<void> {
    try {
      const c = await api<Collections>("GET", "/staff/collections" + query({ date: date.value, ward: ward.value }));
      replace(
        summary,
        h("h2", { id: "collections-title" }, `${t("collections")} ${c.date}`),
        h(
          "div",
          { class: "stats" },
          h(
            "dl",
            {},
            h("div", {}, h("dt", {}, t("total")), h("dd", {}, `${money(c.amount_paise)} (${c.count})`)),
            c.by_kind.map((k) =>
              h("div", {}, h("dt", {}, t(`kind_${k.kind}` as Key) ?? k.kind), h("dd", {}, `${money(k.amount_paise)} (${k.count})`)),
            ),
            (["flagged", "refund_due"] as const).map((s) =>
              h(
                "div",
                { class: c.exceptions[s].count ? "overdue" : "" },
                h("dt", {}, t(`pay_${s}`)),
                h("dd", {}, `${money(c.exceptions[s].amount_paise)} (${c.exceptions[s].count})`),
              ),
            ),
          ),
        ),
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "queue" },
            h("caption", { class: "sr-only" }, t("collections")),
            h("thead", {}, h("tr", {}, [t("ward"), t("count"), t("amount")].map((x) => h("th", { scope: "col" }, x)))),
            h(
              "tbody",
              {},
              c.by_ward.map((w) => h("tr", {}, h("td", {}, wardName(w.ward)), h("td", {}, w.count), h("td", {}, money(w.amount_paise)))),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(summary, h("p", { class: "error", role: "alert" }, error instanceof ApiError ? error.message : t("error")));
    }
  }

  function exceptions(status: "flagged" | "refund_due"): HTMLElement {
    const body = h("tbody");
    const more = h("button", { type: "button", class: "more", hidden: true }, t("load_more"));
    const note = h("p", { class: "status-line", role: "status" });
    let cursor: string | null = null;
    async function load(): Promise<void> {
      try {
        const page = await api<Page<Payment>>(
          "GET",
          "/staff/payments" + query({ status, cursor }), // ward officers: their own ward (the API scopes it)
        );
        for (const p of page.items) {
          body.appendChild(
            h(
              "tr",
              { "data-id": p.id },
              h("td", {}, p.id),
              h("td", {}, p.reference),
              h("td", {}, wardName(p.ward)),
              h("td", {}, money(p.amount_paise), " / ", money(p.captured_amount_paise)),
              h("td", {}, p.status_reason ?? "—"),
              h("td", {}, when(p.created_at)),
            ),
          );
        }
        cursor = page.next_cursor;
        more.hidden = cursor === null;
        note.textContent = body.children.length ? "" : t("none");
      } catch (error) {
        note.textContent = error instanceof ApiError ? error.message : t("error");
      }
    }
    more.addEventListener("click", () => void load());
    void load();
    return h(
      "section",
      { "aria-labelledby": `list-${status}` },
      h("h2", { id: `list-${status}` }, t(`pay_${status}`)),
      note,
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          { class: "queue" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              [t("payment"), t("reference"), t("ward"), t("amount_captured"), t("reason"), t("created")].map((x) =>
                h("th", { scope: "col" }, x),
              ),
            ),
          ),
          body,
        ),
      ),
      more,
    );
  }

  function draw(): Promise<void> {
    replace(lists, exceptions("flagged"), exceptions("refund_due"));
    return collections();
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void draw();
  });
  await draw();
}
