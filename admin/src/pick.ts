// The CFC form's point picker, its own chunk (Leaflet, shared with the map screen's): one ward's boundary
// from GET /wards/{ward} over no base tiles, a marker at the chosen point; a click inside the map moves it.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { api } from "./api";
import type { Bilingual } from "./types";

export interface Point {
  lat: number;
  lng: number;
}

interface Ward {
  code: string;
  name: Bilingual;
  office: { lat: number; lng: number } | null;
  boundary: GeoJSON.Geometry;
}

export interface Picker {
  /** Show another ward; the point moves to that ward's office (inside the ward: data/README.md). */
  show(ward: string): Promise<Point | null>;
}

export function picker(holder: HTMLElement, onPick: (point: Point) => void): Picker {
  const map = L.map(holder, { zoomSnap: 0.25, attributionControl: false });
  let shape: L.GeoJSON | null = null;
  let marker: L.CircleMarker | null = null;
  const place = (point: Point) => {
    marker?.remove();
    marker = L.circleMarker([point.lat, point.lng], {
      radius: 8,
      color: "#08519c",
      fillColor: "#3182bd",
      fillOpacity: 0.9,
      className: "marker-picked",
    }).addTo(map);
  };
  map.on("click", (event: L.LeafletMouseEvent) => {
    const point = { lat: Number(event.latlng.lat.toFixed(6)), lng: Number(event.latlng.lng.toFixed(6)) };
    place(point);
    onPick(point);
  });
  return {
    async show(code: string): Promise<Point | null> {
      const ward = await api<Ward>("GET", `/wards/${encodeURIComponent(code)}`);
      shape?.remove();
      shape = L.geoJSON(ward.boundary as GeoJSON.GeoJsonObject, {
        style: { color: "#1d4e89", weight: 2, fillColor: "#9cc3e6", fillOpacity: 0.25 },
        interactive: false, // clicks reach the map, which places the point
      });
      map.fitBounds(shape.getBounds()); // the view first: its renderer clips paths to it
      shape.addTo(map);
      const point = ward.office ? { lat: ward.office.lat, lng: ward.office.lng } : null;
      if (point) place(point);
      return point;
    },
  };
}
