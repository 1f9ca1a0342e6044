// Moderation (issue 20, docs/accountability.md), staff view of one grievance: hide a citizen's photo, redact
// rectangles of it (drawn with the mouse, pen or finger on the photo, or typed as numbers: the keyboard way),
// edit the public description; each with a reason, each recorded in the timeline and the moderation log.
// Rectangles go to the API in the photo's own pixels (as served: its PhotoView width × height).
import "./moderation.css";
import { field, h, replace, when } from "./dom";
import { t, type Key } from "./i18n";
import type { Send } from "./resolve";
import type { Grievance, Photo, Rectangle } from "./types";

const MIN_DRAG = 3; // photo pixels: a click is not a rectangle

function reasonField(id: string): HTMLElement {
  return field(id, t("mod_reason"), h("textarea", { name: "reason", rows: 2, minlength: 10, maxlength: 500, required: true }));
}

function base(g: Grievance): string {
  return `/staff/grievances/${encodeURIComponent(g.id)}`;
}

/** The panel for one citizen photo: hide it, or mark rectangles and redact them. */
export function photoPanel(g: Grievance, photo: Photo, n: number, send: Send, fail: (m: string) => void, close: () => void): HTMLElement {
  const width = photo.width ?? 0;
  const height = photo.height ?? 0;
  const rects: Rectangle[] = [];

  // --- the drawing surface: the photo with an overlay taking pointer events ---------------------------
  const overlay = h("div", { class: "overlay", "data-testid": "redact-overlay" });
  const stage = h(
    "div",
    { class: "stage", role: "group", "aria-label": `${t("redact_area")} ${n}`, "aria-describedby": `redact-help-${photo.id}` },
    h("img", { src: photo.url ?? "", alt: `${t("photos")} ${n}`, draggable: "false" }),
    overlay,
  );
  const list = h("ol", { class: "rects", "aria-live": "polite" });

  function toPixels(event: PointerEvent): { x: number; y: number } {
    const box = overlay.getBoundingClientRect();
    const fx = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    const fy = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1);
    return { x: Math.round(fx * width), y: Math.round(fy * height) };
  }

  function box(r: Rectangle, cls: string): HTMLElement {
    const el = h("div", { class: cls });
    el.style.left = `${(r.x / width) * 100}%`;
    el.style.top = `${(r.y / height) * 100}%`;
    el.style.width = `${(r.width / width) * 100}%`;
    el.style.height = `${(r.height / height) * 100}%`;
    return el;
  }

  function redraw(): void {
    replace(overlay, rects.map((r) => box(r, "rect")));
    replace(
      list,
      rects.length
        ? rects.map((r, i) =>
            h(
              "li",
              {},
              `${t("rectangle")} ${i + 1}: x ${r.x}, y ${r.y}, ${r.width} × ${r.height} px `,
              h(
                "button",
                {
                  type: "button",
                  class: "link",
                  "aria-label": `${t("rect_remove")} ${i + 1}`,
                  onclick: () => {
                    rects.splice(i, 1);
                    redraw();
                  },
                },
                t("rect_remove"),
              ),
            ),
          )
        : h("li", { class: "note" }, t("rect_none")),
    );
  }

  let start: { x: number; y: number } | null = null;
  let ghost: HTMLElement | null = null;
  const span = (a: { x: number; y: number }, b: { x: number; y: number }): Rectangle => ({
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    width: Math.abs(a.x - b.x),
    height: Math.abs(a.y - b.y),
  });
  overlay.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    overlay.setPointerCapture(event.pointerId);
    start = toPixels(event);
  });
  overlay.addEventListener("pointermove", (event) => {
    if (!start) return;
    ghost?.remove();
    ghost = box(span(start, toPixels(event)), "rect drawing");
    overlay.appendChild(ghost);
  });
  const finish = (event: PointerEvent, keep: boolean) => {
    if (!start) return;
    const r = span(start, toPixels(event));
    start = null;
    ghost?.remove();
    ghost = null;
    if (keep && r.width >= MIN_DRAG && r.height >= MIN_DRAG) rects.push(r);
    redraw();
  };
  overlay.addEventListener("pointerup", (event) => finish(event, true));
  overlay.addEventListener("pointercancel", (event) => finish(event, false));

  // --- the keyboard way: a rectangle typed in the photo's pixels ---------------------------------------
  const number = (name: string, max: number) => h("input", { name, type: "number", min: 0, max, step: 1, inputmode: "numeric" });
  const inputs: [Key, HTMLInputElement][] = [
    ["rect_x", number("x", width)],
    ["rect_y", number("y", height)],
    ["rect_w", number("width", width)],
    ["rect_h", number("height", height)],
  ];
  const add = h("button", { type: "button" }, t("rect_add"));
  add.addEventListener("click", () => {
    const [x, y, w, hgt] = inputs.map(([, input]) => Math.round(Number(input.value || "0")));
    // sent as typed: the API checks it lies inside the photo and answers 422 naming the rectangle if not
    rects.push({ x: x!, y: y!, width: w!, height: hgt! });
    for (const [, input] of inputs) input.value = "";
    redraw();
  });

  const redactForm = h(
    "form",
    { class: "action", id: "mod-redact" },
    h(
      "fieldset",
      {},
      h("legend", {}, t("redact")),
      h("p", { class: "note", id: `redact-help-${photo.id}` }, t("redact_help"), ` (${width} × ${height} px)`),
      stage,
      h("div", { class: "numbers" }, inputs.map(([key, input]) => field(`mod-${key}`, t(key), input)), add),
      h("h4", {}, t("rectangle")),
      list,
      reasonField("mod-redact-reason"),
      h("button", { type: "submit" }, t("redact")),
    ),
  );
  redactForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!rects.length) {
      fail(t("rect_needed"));
      return;
    }
    const reason = String(new FormData(redactForm).get("reason") ?? "").trim();
    void send("POST", `${base(g)}/photos/${encodeURIComponent(photo.id)}/redact`, { rectangles: rects, reason });
  });

  const hideForm = h(
    "form",
    { class: "action", id: "mod-hide" },
    h("fieldset", {}, h("legend", {}, t("hide_photo")), h("p", { class: "note" }, t("hide_help")), reasonField("mod-hide-reason"), h("button", { type: "submit" }, t("hide_photo"))),
  );
  hideForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = String(new FormData(hideForm).get("reason") ?? "").trim();
    void send("POST", `${base(g)}/photos/${encodeURIComponent(photo.id)}/hide`, { reason });
  });

  redraw();
  return h(
    "section",
    { class: "moderate-photo", "aria-labelledby": "moderate-photo-title" },
    h("h3", { id: "moderate-photo-title", tabindex: "-1" }, `${t("moderate_photo")} ${n}`),
    hideForm,
    redactForm,
    h("button", { type: "button", class: "secondary", onclick: close }, t("cancel")),
  );
}

/** The public description edited with a reason (the one it replaces is kept in the moderation log). */
export function descriptionForm(g: Grievance, send: Send): HTMLFormElement {
  const text = h("textarea", { name: "description", rows: 4, minlength: 10, maxlength: 2000, required: true });
  text.value = g.description;
  const form = h(
    "form",
    { class: "action", id: "mod-description" },
    h(
      "fieldset",
      {},
      h("legend", {}, t("edit_description")),
      field("mod-description-text", t("description"), text),
      reasonField("mod-description-reason"),
      h("button", { type: "submit" }, t("save_description")),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    void send("POST", `${base(g)}/description`, {
      description: String(data.get("description") ?? "").trim(),
      reason: String(data.get("reason") ?? "").trim(),
    });
  });
  return form;
}

/** The moderation log (staff view): when, what, why, and the description as it was before an edit. */
export function moderationLog(g: Grievance): HTMLElement | null {
  const log = g.moderation ?? [];
  if (!log.length) return null;
  return h(
    "div",
    { class: "mod-log" },
    h("h3", {}, t("mod_log")),
    h(
      "ul",
      {},
      log.map((m) =>
        h(
          "li",
          {},
          h("time", { datetime: m.at }, when(m.at)),
          " · ",
          t(`tl_${m.action}` as Key),
          ` · ${m.by}`,
          m.photo_id ? ` · ${m.photo_id}` : "",
          m.rectangles ? ` · ${m.rectangles.map((r) => `${r.x},${r.y} ${r.width}×${r.height}`).join("; ")}` : "",
          h("blockquote", {}, m.reason),
          m.previous_description ? h("p", { class: "note" }, `${t("previous_description")}: ${m.previous_description}`) : null,
        ),
      ),
    ),
  );
}
