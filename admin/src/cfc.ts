// The CFC counter (issue 20, docs/accountability.md "Filing at the CFCs"): a clerk files a grievance for a
// walk-in citizen by phone number (POST /cfc/grievances), sees the new id for the citizen's slip, and the
// CFC's filings of today (GET /cfc/grievances, newest first, paged). A clerk sees only this screen.
import { api, ApiError, query, type Page } from "./api";
import type { Session } from "./auth";
import { field, h, replace, select, when } from "./dom";
import { bilingual, statusName, t, WARDS, wardName, type Key } from "./i18n";
import type { Point, Picker } from "./pick";
import { allCategories } from "./reference";
import type { Bilingual } from "./types";

interface Office {
  id: string;
  type: string;
  ward: string | null;
  name: Bilingual;
}

interface Filed {
  id: string;
  category_name: Bilingual;
  ward: string;
  status: string;
  created_at: string;
  due_at: string;
  citizen_phone_number: string | null;
}

/** What a clerk types, as the API's E.164 (+91 and ten digits); anything else is sent as typed (422). */
export function e164(typed: string): string {
  const digits = typed.replace(/[\s()-]/g, "");
  if (/^[6-9][0-9]{9}$/.test(digits)) return `+91${digits}`;
  if (/^0[6-9][0-9]{9}$/.test(digits)) return `+91${digits.slice(1)}`;
  if (/^91[6-9][0-9]{9}$/.test(digits)) return `+${digits}`;
  return digits;
}

export async function renderCfc(main: HTMLElement, session: Session): Promise<void> {
  const message = h("div", { class: "message", role: "alert" });
  const slip = h("div", { class: "slip", role: "status" });
  const where = h("p", { class: "note" });
  const body = h("tbody");
  const more = h("button", { type: "button", class: "more", hidden: true }, t("load_more"));
  const inputs = {
    phone: h("input", { type: "tel", inputmode: "tel", autocomplete: "off", required: true, "aria-describedby": "cfc-phone-hint" }),
    category: select("category", [["", "—"]]),
    description: h("textarea", { rows: 4, minlength: 10, maxlength: 2000, required: true }),
    ward: select("ward", WARDS.map((w): [string, string] => [w[0], wardName(w[0])])),
    address: h("input", { type: "text", maxlength: 300, autocomplete: "off" }),
    landmark: h("input", { type: "text", maxlength: 120, autocomplete: "off" }),
  };
  const pointNote = h("p", { id: "cfc-point", class: "note", "aria-live": "polite" });
  const holder = h("div", { class: "map pick", role: "region", "aria-label": t("cfc_map"), "aria-describedby": "cfc-point" });
  const submit = h("button", { type: "submit", class: "primary" }, t("cfc_file"));
  const form = h(
    "form",
    { class: "action cfc" },
    h(
      "fieldset",
      {},
      h("legend", {}, t("cfc_form")),
      field("cfc-phone", t("cfc_phone"), inputs.phone),
      h("p", { id: "cfc-phone-hint", class: "note" }, t("cfc_phone_hint")),
      field("cfc-category", t("category"), inputs.category),
      field("cfc-description", t("description"), inputs.description),
      field("cfc-ward", t("ward"), inputs.ward),
      field("cfc-address", t("cfc_locality"), inputs.address),
      field("cfc-landmark", t("landmark"), inputs.landmark),
      pointNote,
      holder,
      submit,
    ),
  );
  replace(
    main,
    h("h1", { tabindex: "-1" }, t("cfc_title")),
    where,
    message,
    slip,
    form,
    h("h2", { id: "cfc-today" }, t("cfc_today")),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "queue", "aria-labelledby": "cfc-today" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [t("id"), t("created"), t("category"), t("ward"), t("status"), t("cfc_phone"), t("due")].map((x) =>
              h("th", { scope: "col" }, x),
            ),
          ),
        ),
        body,
      ),
    ),
    more,
  );
  // a 422 names the form's fields by their labels (API.md 1.6: `body.<field>`)
  const labels: Record<string, Key> = {
    citizen_phone_number: "cfc_phone",
    category: "category",
    description: "description",
    address: "cfc_locality",
    landmark: "landmark",
  };
  const shown = (error: unknown) => {
    if (!(error instanceof ApiError)) return t("error");
    const errors = error.status === 422 ? (error.problem?.errors ?? []) : [];
    if (!errors.length) return error.message;
    return errors
      .map((e) => {
        const name = e.field.replace(/^body\.?/, "").split(".")[0] ?? "";
        const label = labels[name];
        return `${label ? t(label) : name === "" || name === "lat" || name === "lng" ? t("location") : name}: ${e.message}`;
      })
      .join("; ");
  };

  // The point: the ward office of the chosen ward until the clerk clicks the map (Leaflet loads lazily).
  let point: Point | null = null;
  let picked = false;
  let pick: Picker | null = null;
  const describe = () => {
    pointNote.textContent = point
      ? `${picked ? t("cfc_point_picked") : t("cfc_point_office")} (${point.lat.toFixed(5)}, ${point.lng.toFixed(5)})`
      : "";
  };
  const showWard = async () => {
    picked = false;
    try {
      pick ??= (await import("./pick")).picker(holder, (p) => {
        point = p;
        picked = true;
        describe();
      });
      point = await pick.show(inputs.ward.value);
    } catch (error) {
      message.textContent = shown(error);
    }
    describe();
  };
  inputs.ward.addEventListener("change", () => void showWard());

  let cursor: string | null = null;
  async function load(append: boolean): Promise<void> {
    const page = await api<Page<Filed>>("GET", "/cfc/grievances" + query({ limit: "20", cursor: append ? cursor : null }));
    const rows = page.items.map((g) =>
      h(
        "tr",
        { "data-id": g.id },
        h("td", {}, h("code", {}, g.id)),
        h("td", {}, when(g.created_at)),
        h("td", {}, bilingual(g.category_name)),
        h("td", {}, wardName(g.ward)),
        h("td", {}, statusName(g.status)),
        h("td", {}, g.citizen_phone_number ?? "—"),
        h("td", {}, when(g.due_at)),
      ),
    );
    if (append) body.append(...rows);
    else body.replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { colspan: 7 }, t("cfc_none_today")))]));
    cursor = page.next_cursor;
    more.hidden = cursor === null;
  }
  more.addEventListener("click", () => void load(true).catch((error) => (message.textContent = shown(error))));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    slip.replaceChildren();
    if (!point) {
      message.textContent = t("cfc_no_point");
      return;
    }
    submit.disabled = true; // one filing per press: a double press does not file twice
    try {
      const g = await api<{ id: string; ward: string; category_name: Bilingual; due_at: string }>("POST", "/cfc/grievances", {
        citizen_phone_number: e164(inputs.phone.value),
        category: inputs.category.value,
        description: inputs.description.value.trim(),
        lat: point.lat,
        lng: point.lng,
        address: inputs.address.value.trim() || null,
        landmark: inputs.landmark.value.trim() || null,
      });
      replace(
        slip,
        h("p", { class: "saved" }, t("cfc_filed"), " ", h("strong", { class: "grievance-id" }, g.id)),
        h("p", {}, `${bilingual(g.category_name)} · ${wardName(g.ward)} · ${t("due")} ${when(g.due_at)}`),
        h("p", { class: "note" }, t("cfc_sms")),
      );
      inputs.phone.value = "";
      inputs.description.value = "";
      inputs.address.value = "";
      inputs.landmark.value = "";
      await load(false);
    } catch (error) {
      message.textContent = shown(error);
    } finally {
      submit.disabled = false;
    }
  });

  try {
    const [categories, office] = await Promise.all([
      allCategories(),
      session.office ? api<Office>("GET", `/offices/${encodeURIComponent(session.office)}`).catch(() => null) : null,
    ]);
    inputs.category.replaceChildren(
      h("option", { value: "" }, "—"),
      ...categories.map((c) => h("option", { value: c.id }, bilingual(c.name))),
    );
    where.textContent = office ? `${t("office")}: ${bilingual(office.name)}` : t("cfc_no_office");
    if (office?.ward) inputs.ward.value = office.ward;
    await load(false);
  } catch (error) {
    message.textContent = shown(error);
  }
  queueMicrotask(() => void showWard()); // the map draws once the holder is in the page
}
