// Open311 API keys for administrators (API.md 6): list, issue (the key is shown once, never stored by the
// page), revoke. Other roles get the API's 403, shown as a message.
import { api, ApiError, type Page } from "./api";
import { field, h, replace, when } from "./dom";
import { t } from "./i18n";

interface Key {
  id: string;
  name: string;
  contact_email: string | null;
  key_prefix: string;
  api_key: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export async function renderOpen311(main: HTMLElement): Promise<void> {
  const message = h("div", { class: "message", role: "alert" });
  const issued = h("div", { role: "status" });
  const body = h("tbody");
  const name = h("input", { name: "name", type: "text", minlength: 3, maxlength: 80, autocomplete: "off" });
  const email = h("input", { name: "contact_email", type: "email", maxlength: 254, autocomplete: "off" });
  const form = h(
    "form",
    { class: "filters" },
    field("k-name", t("key_name"), name),
    field("k-email", t("key_email"), email),
    h("button", { type: "submit", class: "primary" }, t("key_issue")),
  );
  replace(
    main,
    h("h1", { tabindex: "-1" }, t("nav_open311")),
    message,
    form,
    issued,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "queue" },
        h("caption", { class: "sr-only" }, t("nav_open311")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [t("key_name"), t("key_prefix"), t("created"), t("key_last_used"), t("status"), t("actions")].map((x) =>
              h("th", { scope: "col" }, x),
            ),
          ),
        ),
        body,
      ),
    ),
  );

  async function load(): Promise<void> {
    try {
      const page = await api<Page<Key>>("GET", "/admin/open311/keys");
      body.replaceChildren(
        ...page.items.map((k) =>
          h(
            "tr",
            { "data-id": k.id },
            h("td", {}, k.name),
            h("td", {}, h("code", {}, k.key_prefix)),
            h("td", {}, when(k.created_at)),
            h("td", {}, when(k.last_used_at)),
            h("td", {}, k.revoked_at ? `${t("key_revoked")} ${when(k.revoked_at)}` : t("key_active")),
            h(
              "td",
              {},
              k.revoked_at
                ? "—"
                : h(
                    "button",
                    {
                      type: "button",
                      "aria-label": `${t("key_revoke")} ${k.name}`,
                      onclick: async () => {
                        try {
                          await api("DELETE", `/admin/open311/keys/${encodeURIComponent(k.id)}`);
                          await load();
                        } catch (error) {
                          message.textContent = error instanceof ApiError ? error.message : t("error");
                        }
                      },
                    },
                    t("key_revoke"),
                  ),
            ),
          ),
        ),
      );
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : t("error");
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    try {
      const key = await api<Key>("POST", "/admin/open311/keys", {
        name: name.value.trim(),
        contact_email: email.value.trim() || null,
      });
      // shown once: the API keeps only its hash
      replace(issued, h("p", {}, t("key_once"), " ", h("code", { class: "api-key" }, key.api_key ?? "")));
      form.reset();
      await load();
    } catch (error) {
      message.textContent = error instanceof ApiError ? error.message : t("error");
    }
  });
  await load();
}
