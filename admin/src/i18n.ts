// English and Marathi labels. The choice is remembered in localStorage: a label language is no secret.
const KEY = "pmc-admin-lang";
export type Lang = "en" | "mr";

const en = {
  app_title: "PuneConnect staff",
  skip: "Skip to content",
  sign_in: "Sign in",
  sign_out: "Sign out",
  sign_in_title: "Staff sign-in",
  sign_in_local: "Local stack: choose an identity; the stack issues a development token.",
  sign_in_cognito: "Sign in with your PMC staff account.",
  identity: "Identity",
  id_staff: "Staff (city-wide)",
  id_ward_officer: "Ward officer",
  id_admin: "Administrator",
  id_cfc_clerk: "CFC clerk",
  id_citizen: "Citizen (to check refusal)",
  phone: "Phone number",
  ward: "Ward",
  office: "Citizen facilitation centre",
  citizen_refused: "This account is a citizen account and cannot be used on the staff page.",
  session_expired: "Your session has ended. Please sign in again.",
  signed_in_as: "Signed in as",
  role_staff: "staff",
  role_ward_officer: "ward officer",
  role_admin: "administrator",
  role_cfc_clerk: "CFC clerk",
  nav: "Main",
  nav_desk: "Grievance desk",
  nav_map: "Map",
  nav_payments: "Payments",
  collections: "Collections",
  date: "Date",
  count: "Payments",
  amount: "Amount",
  kind_property_tax: "Property tax",
  kind_water_bill: "Water bill",
  pay_flagged: "Flagged (amount or currency differs)",
  pay_refund_due: "Refund due",
  payment: "Payment",
  reference: "Property or connection",
  amount_captured: "Amount / captured",
  reason: "Reason",
  none: "None.",
  lang_toggle: "मराठी",
  lang_toggle_label: "Show labels in Marathi",
  desk_title: "Grievance desk",
  filters: "Filters",
  status: "Status",
  department: "Department",
  category: "Category",
  overdue: "Overdue",
  any: "Any",
  all_wards: "All wards",
  yes: "Yes",
  no: "No",
  apply: "Apply filters",
  load_more: "Load more",
  no_results: "No grievances match these filters.",
  loading: "Loading…",
  id: "Grievance",
  due: "Due",
  created: "Created",
  assignee: "Assignee",
  address: "Address",
  landmark: "Landmark",
  description: "Description",
  open_grievance: "Open grievance",
  stats: "SLA and counts",
  total: "Total",
  compliance: "Resolved within SLA",
  resolved_count: "Resolved (first resolutions)",
  back: "Back to the desk",
  timeline: "Timeline",
  photos: "Photos",
  no_photos: "No photos.",
  photo_full: "Photo, full size",
  close: "Close",
  actions: "Actions",
  assign: "Assign",
  reassign: "Reassign",
  start: "Start work",
  resolve: "Resolve",
  reject: "Reject",
  add_note: "Add note",
  note: "Note (public)",
  internal_note: "Internal note (staff only)",
  resolution_reason: "Resolved without a photo because",
  reason_none: "— (a resolution photo was added)",
  reason_no_fix_needed: "No fix was needed",
  reason_duplicate: "Duplicate of another grievance",
  reason_other_agency: "Another agency's work",
  duplicate_of: "Duplicate of (grievance id)",
  saved: "Saved.",
  no_actions: "This grievance is closed to changes.",
  escalation: "Escalation level",
  channel: "Channel",
  owner_phone: "Citizen's phone",
  sla_due: "SLA due",
  location: "Location",
  map_title: "Wards and open grievances",
  map_legend_overdue: "Overdue",
  map_legend_on_time: "On time",
  map_note: "Ward boundaries from the API; no base map tiles are loaded.",
  error: "Something went wrong",
  later_screens: "Also coming here: scorecard, payments, surveys, city updates, reference data, Open311 keys.",
  clerk_note: "CFC counter filing for walk-in citizens will appear here.",
  actor_citizen: "citizen",
  actor_staff: "staff",
  actor_system: "system",
  actor_open311: "Open311",
};
export type Key = keyof typeof en;

const mr: Record<Key, string> = {
  app_title: "पुणेकनेक्ट कर्मचारी",
  skip: "मुख्य मजकुराकडे जा",
  sign_in: "साइन इन",
  sign_out: "साइन आउट",
  sign_in_title: "कर्मचारी साइन इन",
  sign_in_local: "स्थानिक स्टॅक: ओळख निवडा; स्टॅक विकास टोकन देतो.",
  sign_in_cognito: "आपल्या पुणे महानगरपालिका कर्मचारी खात्याने साइन इन करा.",
  identity: "ओळख",
  id_staff: "कर्मचारी (संपूर्ण शहर)",
  id_ward_officer: "प्रभाग अधिकारी",
  id_admin: "प्रशासक",
  id_cfc_clerk: "नागरी सुविधा केंद्र लिपिक",
  id_citizen: "नागरिक (नकार तपासण्यासाठी)",
  phone: "फोन नंबर",
  ward: "प्रभाग",
  office: "नागरी सुविधा केंद्र",
  citizen_refused: "हे नागरिकाचे खाते आहे; ते कर्मचारी पानावर वापरता येत नाही.",
  session_expired: "आपले सत्र संपले आहे. कृपया पुन्हा साइन इन करा.",
  signed_in_as: "साइन इन:",
  role_staff: "कर्मचारी",
  role_ward_officer: "प्रभाग अधिकारी",
  role_admin: "प्रशासक",
  role_cfc_clerk: "नागरी सुविधा केंद्र लिपिक",
  nav: "मुख्य",
  nav_desk: "तक्रार कक्ष",
  nav_map: "नकाशा",
  nav_payments: "देयके",
  collections: "वसुली",
  date: "दिनांक",
  count: "देयके",
  amount: "रक्कम",
  kind_property_tax: "मालमत्ता कर",
  kind_water_bill: "पाणी बिल",
  pay_flagged: "संशयास्पद (रक्कम किंवा चलन वेगळे)",
  pay_refund_due: "परतावा देय",
  payment: "देयक",
  reference: "मालमत्ता किंवा नळजोड",
  amount_captured: "रक्कम / जमा",
  reason: "कारण",
  none: "काही नाही.",
  lang_toggle: "English",
  lang_toggle_label: "Show labels in English",
  desk_title: "तक्रार कक्ष",
  filters: "गाळणी",
  status: "सद्यस्थिती",
  department: "विभाग",
  category: "प्रकार",
  overdue: "मुदत उलटलेली",
  any: "कोणतीही",
  all_wards: "सर्व प्रभाग",
  yes: "होय",
  no: "नाही",
  apply: "गाळणी लागू करा",
  load_more: "आणखी दाखवा",
  no_results: "या गाळणीशी जुळणारी तक्रार नाही.",
  loading: "लोड होत आहे…",
  id: "तक्रार",
  due: "मुदत",
  created: "नोंदवली",
  assignee: "जबाबदार कर्मचारी",
  address: "पत्ता",
  landmark: "खूण",
  description: "वर्णन",
  open_grievance: "तक्रार उघडा",
  stats: "सेवा मुदत आणि आकडे",
  total: "एकूण",
  compliance: "मुदतीत निवारण",
  resolved_count: "निवारण झालेल्या (पहिले निवारण)",
  back: "तक्रार कक्षाकडे परत",
  timeline: "घटनाक्रम",
  photos: "छायाचित्रे",
  no_photos: "छायाचित्रे नाहीत.",
  photo_full: "छायाचित्र, पूर्ण आकार",
  close: "बंद करा",
  actions: "कृती",
  assign: "सोपवा",
  reassign: "पुन्हा सोपवा",
  start: "काम सुरू करा",
  resolve: "निवारण झाले",
  reject: "नाकारा",
  add_note: "टीप जोडा",
  note: "टीप (सार्वजनिक)",
  internal_note: "अंतर्गत टीप (फक्त कर्मचारी)",
  resolution_reason: "छायाचित्राशिवाय निवारण, कारण",
  reason_none: "— (निवारणाचे छायाचित्र जोडले आहे)",
  reason_no_fix_needed: "दुरुस्तीची गरज नव्हती",
  reason_duplicate: "दुसऱ्या तक्रारीची पुनरावृत्ती",
  reason_other_agency: "दुसऱ्या यंत्रणेचे काम",
  duplicate_of: "पुनरावृत्ती (तक्रार क्रमांक)",
  saved: "जतन केले.",
  no_actions: "या तक्रारीत आता बदल करता येत नाही.",
  escalation: "वरिष्ठांकडे पाठवल्याचा स्तर",
  channel: "माध्यम",
  owner_phone: "नागरिकाचा फोन",
  sla_due: "सेवा मुदत",
  location: "ठिकाण",
  map_title: "प्रभाग आणि प्रलंबित तक्रारी",
  map_legend_overdue: "मुदत उलटलेली",
  map_legend_on_time: "मुदतीत",
  map_note: "प्रभागांच्या सीमा API मधून; पार्श्वभूमी नकाशा लोड केला जात नाही.",
  error: "काहीतरी चुकले",
  later_screens: "लवकरच येथे: गुणपत्रक, देयके, सर्वेक्षणे, शहर सूचना, संदर्भ माहिती, Open311 किल्ल्या.",
  clerk_note: "प्रत्यक्ष येणाऱ्या नागरिकांसाठी केंद्रावरील तक्रार नोंदणी येथे दिसेल.",
  actor_citizen: "नागरिक",
  actor_staff: "कर्मचारी",
  actor_system: "प्रणाली",
  actor_open311: "Open311",
};

// API.md 3.11's status names in both languages.
const statuses: Record<string, [string, string]> = {
  submitted: ["Submitted", "नोंदवली"],
  assigned: ["Assigned", "कर्मचाऱ्याकडे सोपवली"],
  in_progress: ["In progress", "काम सुरू"],
  resolved: ["Resolved", "निवारण झाले"],
  closed: ["Closed", "बंद"],
  rejected: ["Rejected", "नाकारली"],
  reopened: ["Reopened", "पुन्हा उघडली"],
  open: ["Open (any)", "प्रलंबित (सर्व)"],
  all: ["All", "सर्व"],
};

// API.md 1.3
export const WARDS: [string, string, string][] = [
  ["W01", "Aundh–Baner", "औंध–बाणेर"],
  ["W02", "Bhavani Peth", "भवानी पेठ"],
  ["W03", "Bibwewadi", "बिबवेवाडी"],
  ["W04", "Dhankawadi–Sahakarnagar", "धनकवडी–सहकारनगर"],
  ["W05", "Dhole Patil Road", "ढोले पाटील रस्ता"],
  ["W06", "Hadapsar–Mundhwa", "हडपसर–मुंढवा"],
  ["W07", "Kasba–Vishrambaug Wada", "कसबा–विश्रामबागवाडा"],
  ["W08", "Kondhwa–Yewalewadi", "कोंढवा–येवलेवाडी"],
  ["W09", "Kothrud–Bawdhan", "कोथरूड–बावधन"],
  ["W10", "Nagar Road–Wadgaon Sheri", "नगर रस्ता–वडगाव शेरी"],
  ["W11", "Shivajinagar–Ghole Road", "शिवाजीनगर–घोले रस्ता"],
  ["W12", "Sinhagad Road", "सिंहगड रस्ता"],
  ["W13", "Wanowrie–Ramtekdi", "वानवडी–रामटेकडी"],
  ["W14", "Warje–Karve Nagar", "वारजे–कर्वेनगर"],
  ["W15", "Yerawada–Kalas–Dhanori", "येरवडा–कळस–धानोरी"],
];

// Client-side messages for the API's problem codes (API.md 1.6: clients map them to English and Marathi).
const codes: Record<string, [string, string]> = {
  illegal_transition: [
    "That change is not allowed from the grievance's current status (it may have just changed: reload it).",
    "सध्याच्या सद्यस्थितीतून हा बदल करता येत नाही (ती नुकतीच बदलली असेल: पुन्हा लोड करा).",
  ],
  grievance_not_open: ["The grievance is no longer open.", "तक्रार आता प्रलंबित नाही."],
  photo_limit_reached: ["This grievance already has the most photos allowed.", "या तक्रारीला जास्तीत जास्त छायाचित्रे आहेत."],
  invalid_cursor: ["The list changed; apply the filters again.", "यादी बदलली; गाळणी पुन्हा लागू करा."],
};

let current: Lang = (localStorage.getItem(KEY) as Lang | null) === "mr" ? "mr" : "en";
const listeners: (() => void)[] = [];

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}

export function t(key: Key): string {
  return (current === "mr" ? mr : en)[key];
}

export function statusName(status: string): string {
  const names = statuses[status];
  return names ? names[current === "mr" ? 1 : 0] : status;
}

export function wardName(code: string): string {
  const ward = WARDS.find((w) => w[0] === code);
  return ward ? `${code} ${ward[current === "mr" ? 2 : 1]}` : code;
}

export function bilingual(text: { en: string; mr: string } | null | undefined): string {
  return text ? text[current] || text.en : "";
}

export function codeMessage(code: string | null): string | null {
  const names = code ? codes[code] : undefined;
  return names ? names[current === "mr" ? 1 : 0] : null;
}

document.documentElement.lang = current;
