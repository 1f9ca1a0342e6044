// Departments and grievance categories (public, cached by the API for 300 s), read once per page load.
import { api, type Page } from "./api";
import type { Named } from "./types";

let departments: Promise<Named[]> | null = null;
let categories: Promise<Named[]> | null = null;

export function allDepartments(): Promise<Named[]> {
  departments ??= api<Page<Named>>("GET", "/departments").then((p) => p.items);
  return departments;
}

export function allCategories(): Promise<Named[]> {
  categories ??= api<Page<Named>>("GET", "/grievance-categories").then((p) => p.items);
  return categories;
}
