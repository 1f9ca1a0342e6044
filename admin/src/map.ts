// The map screen, its own chunk (Leaflet is loaded only here): ward boundaries from GET /wards as a
// GeoJSON layer over no base tiles (no tile server is reachable offline, and none is needed), and the
// open grievances in scope as circle markers, red when overdue.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { api, ApiError, query, type Page } from "./api";
import type { Session } from "./auth";
import { h, replace } from "./dom";
import { bilingual, statusName, t, wardName } from "./i18n";
import type { Bilingual, QueueItem } from "./types";

interface Ward {
  code: string;
  name: Bilingual;
  boundary: GeoJSON.Geometry;
}

const MAX_MARKERS = 500; // five pages of the queue: enough for a ward's or the city's open backlog view

export async function renderMap(main: HTMLElement, session: Session): Promise<void> {
  const holder = h("div", { id: "map", class: "map", role: "region", "aria-label": t("map_title") });
  const status = h("p", { role: "status", class: "status-line" }, t("loading"));
  replace(
    main,
    h("h1", { tabindex: "-1" }, t("map_title")),
    h(
      "p",
      { class: "legend" },
      h("span", { class: "dot overdue-dot", "aria-hidden": "true" }),
      " ",
      t("map_legend_overdue"),
      " ",
      h("span", { class: "dot ontime-dot", "aria-hidden": "true" }),
      " ",
      t("map_legend_on_time"),
      " · ",
      t("map_note"),
    ),
    status,
    holder,
  );
  const map = L.map(holder, { zoomSnap: 0.25, attributionControl: false });
  try {
    const wards = (await api<Page<Ward>>("GET", "/wards")).items;
    const shapes = L.geoJSON(
      {
        type: "FeatureCollection",
        features: wards.map((w) => ({ type: "Feature", geometry: w.boundary, properties: { code: w.code, name: w.name } })),
      } as GeoJSON.FeatureCollection,
      {
        style: (f) => ({
          color: "#1d4e89",
          weight: f?.properties.code === session.ward ? 3 : 1,
          fillColor: "#9cc3e6",
          fillOpacity: 0.25,
        }),
        onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.code} ${bilingual(f.properties.name)}`),
      },
    );
    map.fitBounds(shapes.getBounds()); // the view first: its renderer clips paths to it
    shapes.addTo(map);

    const ward = session.role === "ward_officer" ? session.ward : null;
    let cursor: string | null = null;
    let count = 0;
    do {
      const page: Page<QueueItem> = await api<Page<QueueItem>>(
        "GET",
        "/staff/grievances" + query({ status: "open", ward, limit: "100", cursor }),
      );
      for (const g of page.items) {
        if (g.lat === null || g.lng === null) continue;
        count += 1;
        L.circleMarker([g.lat, g.lng], {
          radius: 7,
          color: g.overdue ? "#a50f15" : "#08519c",
          fillColor: g.overdue ? "#de2d26" : "#3182bd",
          fillOpacity: 0.9,
          weight: 2,
          className: g.overdue ? "marker-overdue" : "marker-ontime",
        })
          .bindPopup(() => {
            const popup = h(
              "div",
              {},
              h("a", { href: `#/grievance/${g.id}` }, g.id),
              h("br"),
              `${statusName(g.status)} · ${wardName(g.ward)}`,
              g.overdue ? ` · ${t("overdue")}` : "",
            );
            return popup;
          })
          .addTo(map);
      }
      cursor = page.next_cursor;
    } while (cursor && count < MAX_MARKERS);
    status.textContent = `${count}`;
  } catch (error) {
    status.textContent = error instanceof ApiError ? error.message : t("error");
  }
}

/** A grievance's location on its ward's boundary (the detail screen), from GET /wards/{ward}. */
export async function locate(
  holder: HTMLElement,
  grievance: { ward: string; lat: number; lng: number; overdue: boolean },
): Promise<void> {
  // a picture, not a widget: nothing in it takes focus (the holder is role="img" with a label)
  const map = L.map(holder, {
    zoomSnap: 0.25,
    attributionControl: false,
    zoomControl: false,
    keyboard: false,
    dragging: false,
    scrollWheelZoom: false,
    doubleClickZoom: false,
    boxZoom: false,
    touchZoom: false,
  });
  const ward = await api<Ward>("GET", `/wards/${encodeURIComponent(grievance.ward)}`);
  const shape = L.geoJSON(ward.boundary as GeoJSON.GeoJsonObject, {
    style: { color: "#1d4e89", weight: 2, fillColor: "#9cc3e6", fillOpacity: 0.25 },
  });
  map.fitBounds(shape.getBounds()); // the view first: its renderer clips paths to it
  shape.addTo(map);
  L.circleMarker([grievance.lat, grievance.lng], {
    radius: 8,
    color: grievance.overdue ? "#a50f15" : "#08519c",
    fillColor: grievance.overdue ? "#de2d26" : "#3182bd",
    fillOpacity: 0.9,
    className: "marker-here",
  }).addTo(map);
}
