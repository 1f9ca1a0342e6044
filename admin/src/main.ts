// The page's shell: configuration, sign-in, header (navigation, language, sign-out) and the hash routes
// #/desk, #/grievance/<id>, #/map, #/payments, #/surveys, #/survey/<id>, #/updates, #/open311,
// #/scorecard[?month=&ward=], #/reference (admins) and #/cfc (a CFC clerk's only screen). A later screen adds
// a route here and a link in `nav`.
import "./style.css";
import { api, configure } from "./api";
import {
  CitizenRefused,
  cognitoLogoutUrl,
  finishCognito,
  keep,
  localToken,
  restore,
  sessionOf,
  signOut,
  startCognito,
  type LocalIdentity,
  type Session,
} from "./auth";
import { loadConfig, type Config } from "./config";
import { renderDesk } from "./desk";
import { field, h, replace, select } from "./dom";
import { bilingual, lang, onLangChange, setLang, t, WARDS, wardName } from "./i18n";
import { renderGrievance } from "./grievance";
import { renderPayments } from "./payments";
import { renderOpen311 } from "./open311";
import { renderSurvey, renderSurveys } from "./surveys";
import { renderUpdates } from "./updates";

const app = document.getElementById("app")!;
let config: Config;
let session: Session | null = null;
let notice: string | null = null;
let keepFocusOnLang = false;

function end(message: string | null): void {
  signOut();
  session = null;
  notice = message;
  render();
}

function header(): HTMLElement {
  const toggle = h(
    "button",
    { type: "button", class: "lang", lang: lang() === "en" ? "mr" : "en", "aria-label": t("lang_toggle_label") },
    t("lang_toggle"),
  );
  toggle.addEventListener("click", () => {
    keepFocusOnLang = true; // the labels change under the person's focus; it stays on the toggle
    setLang(lang() === "en" ? "mr" : "en");
  });
  const route = location.hash;
  const link = (href: string, label: string, active: boolean) =>
    h("a", { href, "aria-current": active ? "page" : null }, label);
  return h(
    "header",
    { class: "top" },
    h("p", { class: "brand" }, t("app_title")),
    session?.role === "cfc_clerk" // a clerk has the counter only (docs/accountability.md, Role)
      ? h("nav", { "aria-label": t("nav") }, link("#/cfc", t("nav_cfc"), true))
      : session
      ? h(
          "nav",
          { "aria-label": t("nav") },
          link("#/desk", t("nav_desk"), !/^#\/(map|payments|survey|open311|updates|scorecard|reference)/.test(route)),
          link("#/map", t("nav_map"), route.startsWith("#/map")),
          link("#/payments", t("nav_payments"), route.startsWith("#/payments")),
          link("#/surveys", t("nav_surveys"), route.startsWith("#/survey")),
          link("#/scorecard", t("nav_scorecard"), route.startsWith("#/scorecard")),
          link("#/updates", t("nav_updates"), route.startsWith("#/updates")),
          session.role === "admin" ? link("#/open311", t("nav_open311"), route.startsWith("#/open311")) : null,
          session.role === "admin" ? link("#/reference", t("nav_reference"), route.startsWith("#/reference")) : null,
        )
      : null,
    h(
      "div",
      { class: "who" },
      session
        ? [
            h(
              "span",
              { class: "role" },
              `${t("signed_in_as")} ${t(`role_${session.role}`)}`,
              session.ward ? ` · ${wardName(session.ward)}` : "",
            ),
            h("button", { type: "button", class: "signout", onclick: onSignOut }, t("sign_out")),
          ]
        : null,
      toggle,
    ),
  );
}

function onSignOut(): void {
  end(null);
  if (config.cognito) location.assign(cognitoLogoutUrl(config.cognito));
}

const IDENTITIES: Record<string, { phone: string; groups: string[] }> = {
  staff: { phone: "+919700000001", groups: ["staff"] },
  ward_officer: { phone: "+919700000002", groups: ["ward_officer"] },
  admin: { phone: "+919700000003", groups: ["admin"] },
  cfc_clerk: { phone: "+919700000004", groups: ["cfc_clerk"] },
  citizen: { phone: "+919800000009", groups: [] },
};

function signInForm(main: HTMLElement): void {
  const message = h("p", { class: "message", role: "alert" }, notice ?? "");
  if (config.cognito) {
    const cognito = config.cognito;
    replace(
      main,
      h("h1", { tabindex: "-1" }, t("sign_in_title")),
      message,
      h("p", {}, t("sign_in_cognito")),
      h("button", { type: "button", class: "primary", onclick: () => void startCognito(cognito) }, t("sign_in")),
    );
    return;
  }
  const identity = select(
    "identity",
    Object.keys(IDENTITIES).map((k): [string, string] => [k, t(`id_${k}` as Parameters<typeof t>[0])]),
  );
  const phone = h("input", { name: "phone", type: "tel", value: IDENTITIES.staff!.phone, autocomplete: "off" });
  const ward = select("ward", WARDS.map((w): [string, string] => [w[0], wardName(w[0])]), "W07");
  // a clerk's office is one of the 42 CFCs (GET /offices?type=cfc), never typed: another office is refused
  const office = select("office", [["OFF-15GFXMY5", "OFF-15GFXMY5"]], "OFF-15GFXMY5");
  void api<{ items: { id: string; name: { en: string; mr: string } }[] }>("GET", "/offices?type=cfc")
    .then((cfcs) => {
      const chosen = office.value;
      office.replaceChildren(...cfcs.items.map((o) => h("option", { value: o.id }, bilingual(o.name))));
      office.value = chosen;
    })
    .catch(() => {}); // the id alone still signs in
  const wardField = field("signin-ward", t("ward"), ward);
  const officeField = field("signin-office", t("office"), office);
  const sync = () => {
    phone.value = IDENTITIES[identity.value]!.phone;
    wardField.hidden = identity.value !== "ward_officer";
    officeField.hidden = identity.value !== "cfc_clerk";
  };
  identity.addEventListener("change", sync);
  const form = h(
    "form",
    { class: "signin" },
    field("signin-identity", t("identity"), identity),
    field("signin-phone", t("phone"), phone),
    wardField,
    officeField,
    h("button", { type: "submit", class: "primary" }, t("sign_in")),
  );
  sync();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = IDENTITIES[identity.value]!;
    const body: LocalIdentity = { phone_number: phone.value.trim(), groups: chosen.groups };
    if (identity.value === "ward_officer") body.ward = ward.value;
    if (identity.value === "cfc_clerk") body.office = office.value.trim();
    try {
      accept(await localToken(config, body));
    } catch (error) {
      message.textContent = error instanceof CitizenRefused ? t("citizen_refused") : String(error);
    }
  });
  replace(main, h("h1", { tabindex: "-1" }, t("sign_in_title")), message, h("p", {}, t("sign_in_local")), form);
}

/** Take a token: a staff, ward officer, admin or clerk one starts a session; a citizen's is dropped. */
function accept(token: string): void {
  const next = sessionOf(token); // throws CitizenRefused: the token is never kept
  keep(next);
  session = next;
  notice = null;
  configure(config.api_url, next.token, () => end(t("session_expired")));
  if (!location.hash) history.replaceState(null, "", next.role === "cfc_clerk" ? "#/cfc" : "#/desk");
  render();
}

/** A screen this role may not use: said in words, with the way to the role's own screen. */
function refuse(main: HTMLElement, why: "cfc_clerk_only" | "cfc_not_clerk" | "ref_admin_only"): Promise<void> {
  const home = session?.role === "cfc_clerk" ? h("a", { href: "#/cfc" }, t("nav_cfc")) : h("a", { href: "#/desk" }, t("nav_desk"));
  replace(main, h("h1", { tabindex: "-1" }, t("not_for_role")), h("p", { class: "message", role: "alert" }, t(why)), h("p", {}, home));
  return Promise.resolve();
}

function render(): void {
  const main = h("main", { id: "main", tabindex: "-1" });
  replace(app, header(), main);
  const focusLang = keepFocusOnLang;
  keepFocusOnLang = false;
  // After a screen is drawn, focus its heading (a screen reader announces the new screen), unless the
  // person just switched the language: then focus stays on the toggle.
  const settle = () =>
    focusLang
      ? app.querySelector<HTMLElement>("button.lang")?.focus()
      : main.querySelector<HTMLElement>("h1")?.focus();
  if (!session) {
    signInForm(main);
    settle();
    return;
  }
  const clerk = session.role === "cfc_clerk";
  const route = location.hash.replace(/^#/, "") || (clerk ? "/cfc" : "/desk");
  const grievance = route.match(/^\/grievance\/([A-Za-z0-9-]+)$/);
  let screen: Promise<void>;
  if (clerk || route === "/cfc") {
    // A clerk has the counter and no staff route (API.md 1.4); the counter is a clerk's only.
    // the counter and reference data are chunks of their own: most people signing in never open them
    const current = session;
    screen =
      clerk && route === "/cfc"
        ? import("./cfc").then((m) => m.renderCfc(main, current))
        : refuse(main, clerk ? "cfc_clerk_only" : "cfc_not_clerk");
  } else if (route === "/reference") {
    screen = session.role === "admin" ? import("./refdata").then((m) => m.renderReference(main)) : refuse(main, "ref_admin_only");
  } else if (grievance) {
    screen = renderGrievance(main, grievance[1]!);
  } else if (route === "/updates") {
    screen = renderUpdates(main, session);
  } else if (route === "/open311") {
    screen = renderOpen311(main);
  } else if (route === "/surveys") {
    screen = renderSurveys(main);
  } else if (route.startsWith("/survey/")) {
    screen = renderSurvey(main, decodeURIComponent(route.slice("/survey/".length)));
  } else if (route === "/payments") {
    screen = renderPayments(main, session);
  } else if (route === "/scorecard" || route.startsWith("/scorecard?")) {
    const current = session;
    screen = import("./scorecard").then((m) => m.renderScorecard(main, current));
  } else if (route === "/map") {
    const current = session;
    screen = import("./map").then((m) => m.renderMap(main, current));
  } else {
    screen = renderDesk(main, session);
  }
  void screen.then(settle);
}

async function start(): Promise<void> {
  config = await loadConfig();
  configure(config.api_url, null, () => {});
  try {
    const token = config.cognito ? await finishCognito(config.cognito) : null;
    if (token) accept(token);
  } catch (error) {
    notice = error instanceof CitizenRefused ? t("citizen_refused") : String(error);
  }
  session ??= restore();
  if (session) configure(config.api_url, session.token, () => end(t("session_expired")));
  window.addEventListener("hashchange", render);
  onLangChange(render);
  render();
}

void start();
