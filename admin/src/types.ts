// The API.md shapes the page reads (sections 2 and 3).
export type Bilingual = { en: string; mr: string };

export interface QueueItem {
  id: string;
  category: string;
  status: string;
  ward: string;
  department: string;
  created_at: string;
  due_at: string;
  overdue: boolean;
  escalation_level: number;
  assignee: string | null;
  address: string | null;
  landmark: string | null;
  lat: number | null;
  lng: number | null;
  photo_count: number;
  followers_count: number;
}

export interface Photo {
  id: string;
  status: string;
  width: number | null;
  height: number | null;
  url: string | null;
  thumbnail_url: string | null;
  // issue 20: before (the citizen's) or after (staff's proof of fix); moderation marks (staff view)
  kind: "citizen" | "resolution";
  hidden: boolean;
  redacted: boolean;
  rejection_reason: string | null;
}

export interface Moderation {
  at: string;
  action: "photo_hidden" | "photo_redacted" | "description_edited";
  by: string;
  reason: string;
  photo_id: string | null;
  rectangles: Rectangle[] | null;
  previous_description: string | null;
}

/** Pixels of a photo as served (upright, its PhotoView width × height), origin top left. */
export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PhotoUpload {
  photo_id: string;
  url: string;
  fields: Record<string, string>;
  expires_at: string;
  max_bytes: number;
}

export interface TimelineEntry {
  at: string;
  type: string;
  actor: string;
  from_status: string | null;
  to_status: string | null;
  note: string | null;
  level: number | null;
  rating: number | null;
}

export interface Grievance {
  id: string;
  category: string;
  category_name: Bilingual;
  description: string;
  lat: number | null;
  lng: number | null;
  address: string | null;
  landmark: string | null;
  ward: string;
  department: string;
  status: string;
  escalation_level: number;
  overdue: boolean;
  created_at: string;
  due_at: string;
  photos: Photo[];
  resolution_photos: Photo[];
  resolution: { reason: string; duplicate_of: string | null } | null;
  moderation: Moderation[] | null;
  timeline: TimelineEntry[];
  staff: { assignee: string | null; sla_due_at: string; owner_phone_number: string | null; channel: string } | null;
}

export interface Stats {
  as_of: string;
  ward: string | null;
  total: number;
  by_status: Record<string, number>;
  overdue: number;
  sla: { resolved: number; resolved_within_sla: number; compliance_pct: number | null };
}

export interface Named {
  id: string;
  name: Bilingual;
  department_id?: string;
}

export const STATUSES = ["submitted", "assigned", "in_progress", "resolved", "closed", "rejected", "reopened"];
export const OPEN = ["submitted", "assigned", "in_progress", "reopened"];
