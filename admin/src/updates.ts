// City updates for staff (API.md 2.4): the updates in scope (GET /staff/city-updates, paged), publish
// (POST /city-updates), edit (PATCH, a merge patch; ward is fixed once published) and withdraw.
import { api, ApiError, query, type Page } from "./api";
import type { Session } from "./auth";
import { field, h, replace, select, when } from "./dom";
import { bilingual, t, WARDS, wardName, type Key } from "./i18n";
import type { Bilingual } from "./types";

interface Update {
  id: string;
  category: string;
  ward: string | null;
  title: Bilingual;
  body: Bilingual;
  starts_at: string;
  ends_at: string;
  status: string;
}

const CATEGORIES = ["water_cut", "road_closure", "health_drive", "event", "other"];

// <input type="datetime-local"> is the browser's local time; the API takes UTC with Z (API.md 1.1).
const toIso = (local: string): string => new Date(local).toISOString().replace(/\.\d{3}Z$/, "Z");
function toLocal(iso: string): string {
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export async function renderUpdates(main: HTMLElement, session: Session): Promise<void> {
  const message = h("div", { class: "message", role: "alert" });
  const saved = h("p", { class: "saved", role: "status" });
  const body = h("tbody");
  const wardOfficer = session.role === "ward_officer";
  const inputs = {
    category: select("category", CATEGORIES.map((c): [string, string] => [c, t(`upd_${c}` as Key)])),
    ward: wardOfficer
      ? select("ward", [[session.ward ?? "", wardName(session.ward ?? "")]])
      : select("ward", [["", t("city_wide")], ...WARDS.map((w): [string, string] => [w[0], wardName(w[0])])]),
    title_en: h("input", { type: "text", maxlength: 120 }),
    title_mr: h("input", { type: "text", maxlength: 120, lang: "mr" }),
    body_en: h("textarea", { rows: 3, maxlength: 2000 }),
    body_mr: h("textarea", { rows: 3, maxlength: 2000, lang: "mr" }),
    starts_at: h("input", { type: "datetime-local" }),
    ends_at: h("input", { type: "datetime-local" }),
  };
  let editing: string | null = null;
  const submit = h("button", { type: "submit", class: "primary" }, t("upd_publish"));
  const form = h(
    "form",
    { class: "action" },
    h(
      "fieldset",
      {},
      h("legend", {}, t("upd_form")),
      field("u-category", t("category"), inputs.category),
      field("u-ward", t("ward"), inputs.ward),
      field("u-title-en", t("upd_title_en"), inputs.title_en),
      field("u-title-mr", t("upd_title_mr"), inputs.title_mr),
      field("u-body-en", t("upd_body_en"), inputs.body_en),
      field("u-body-mr", t("upd_body_mr"), inputs.body_mr),
      field("u-starts", t("upd_starts"), inputs.starts_at),
      field("u-ends", t("upd_ends"), inputs.ends_at),
      submit,
    ),
  );
  replace(
    main,
    h("h1", { tabindex: "-1" }, t("nav_updates")),
    message,
    saved,
    form,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "queue" },
        h("caption", { class: "sr-only" }, t("nav_updates")),
        h(
          "thead",
          {},
          h("tr", {}, [t("upd_title"), t("ward"), t("status"), t("upd_starts"), t("upd_ends"), t("actions")].map((x) => h("th", { scope: "col" }, x))),
        ),
        body,
      ),
    ),
  );

  async function act(run: () => Promise<unknown>): Promise<void> {
    message.textContent = "";
    saved.textContent = "";
    try {
      await run();
      saved.textContent = t("saved");
      await load();
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : t("error");
    }
  }

  function edit(u: Update): void {
    editing = u.id;
    inputs.category.value = u.category;
    inputs.ward.value = u.ward ?? "";
    inputs.ward.disabled = true; // fixed once published (API.md 2.4)
    inputs.title_en.value = u.title.en;
    inputs.title_mr.value = u.title.mr;
    inputs.body_en.value = u.body.en;
    inputs.body_mr.value = u.body.mr;
    inputs.starts_at.value = toLocal(u.starts_at);
    inputs.ends_at.value = toLocal(u.ends_at);
    submit.textContent = t("upd_save");
    inputs.title_en.focus();
  }

  async function load(): Promise<void> {
    const page = await api<Page<Update>>("GET", "/staff/city-updates" + query({ limit: "50" }));
    body.replaceChildren(
      ...page.items.map((u) =>
        h(
          "tr",
          { "data-id": u.id },
          h("td", {}, bilingual(u.title)),
          h("td", {}, u.ward ? wardName(u.ward) : t("city_wide")),
          h("td", {}, t(`upd_status_${u.status}` as Key)),
          h("td", {}, when(u.starts_at)),
          h("td", {}, when(u.ends_at)),
          h(
            "td",
            {},
            u.status === "withdrawn" || u.status === "ended"
              ? "—"
              : [
                  h("button", { type: "button", "aria-label": `${t("upd_edit")} ${bilingual(u.title)}`, onclick: () => edit(u) }, t("upd_edit")),
                  " ",
                  h(
                    "button",
                    {
                      type: "button",
                      "aria-label": `${t("upd_withdraw")} ${bilingual(u.title)}`,
                      onclick: () => void act(() => api("POST", `/city-updates/${encodeURIComponent(u.id)}/withdraw`, {})),
                    },
                    t("upd_withdraw"),
                  ),
                ],
          ),
        ),
      ),
    );
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = {
      category: inputs.category.value,
      title: { en: inputs.title_en.value.trim(), mr: inputs.title_mr.value.trim() },
      body: { en: inputs.body_en.value.trim(), mr: inputs.body_mr.value.trim() },
      starts_at: inputs.starts_at.value ? toIso(inputs.starts_at.value) : null,
      ends_at: inputs.ends_at.value ? toIso(inputs.ends_at.value) : null,
    };
    const id = editing;
    void act(async () => {
      if (id) await api("PATCH", `/city-updates/${encodeURIComponent(id)}`, fields);
      else await api("POST", "/city-updates", { ...fields, ward: inputs.ward.value || null });
      editing = null;
      inputs.ward.disabled = false;
      submit.textContent = t("upd_publish");
      form.reset();
    });
  });
  try {
    await load();
  } catch (error) {
    message.textContent = error instanceof ApiError ? error.message : t("error");
  }
}
