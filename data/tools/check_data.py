"""Validate everything in data/. Exit status 1 on any failure. Needs shapely.

python data/tools/check_data.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.prepared import prep

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_city_updates
import make_payments
import make_survey
import simplify_wards

DATA = Path(__file__).resolve().parent.parent
CROCK = "[0-9A-HJKMNP-TV-Z]"
ID_RE = {p: re.compile(rf"^{p}-{CROCK}{{8}}$") for p in ("FAC", "OFF", "CON", "WHO")}
SLUG = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
PHONE = re.compile(r"^\+91[0-9]{10}$")
NUMBER = re.compile(r"^[0-9+][0-9 -]{1,19}$")
WARD_IDS = [f"W{i:02d}" for i in range(1, 16)]
FACILITY_CATEGORIES = [
    "hospital",
    "dispensary",
    "maternity_home",
    "police_station",
    "fire_station",
    "public_toilet",
    "garden",
    "swimming_pool",
    "sports_complex",
    "library",
    "school",
    "crematorium",
    "vegetable_market",
    "parking",
    "ev_charging",
]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
errors: list[str] = []


def err(msg: str) -> None:
    errors.append(msg)


def load(name):
    path = DATA / name
    text = path.read_text(encoding="utf-8")
    obj = json.loads(text)
    if name.endswith(".json") and text != json.dumps(obj, ensure_ascii=False, indent=2) + "\n":
        err(f"{name}: not pretty-printed with 2-space indent / ensure_ascii=False")
    return obj


def text_ok(where, s, lo, hi):
    if not isinstance(s, str) or s != s.strip() or not lo <= len(s) <= hi or CONTROL.search(s):
        err(f"{where}: bad text {s!r} (length {lo}..{hi})")


def bilingual(where, v, lo=1, hi=300, nullable=False):
    if v is None and nullable:
        return
    if not isinstance(v, dict) or set(v) != {"en", "mr"}:
        err(f"{where}: not bilingual {{en, mr}}: {v!r}")
        return
    for lang in ("en", "mr"):
        text_ok(f"{where}.{lang}", v[lang], lo, hi)
    if not re.search(r"[\u0900-\u097F]", v["mr"]):
        err(f"{where}.mr: no Devanagari text")


def keys(where, obj, expected):
    if set(obj) != set(expected):
        err(f"{where}: keys {sorted(obj)} != {sorted(expected)}")


def unique(name, rows):
    dup = [k for k, n in Counter(r["id"] for r in rows).items() if n > 1]
    if dup:
        err(f"{name}: duplicate ids {dup}")


def nullable(where, v, regex, maxlen):
    if v is not None and (not isinstance(v, str) or len(v) > maxlen or not regex.match(v)):
        err(f"{where}: bad value {v!r}")


# ---------------------------------------------------------------- geometry
wards_fc = load("wards.geojson")
ward_geom = {}
for f in wards_fc["features"]:
    p = f["properties"]
    keys("wards.geojson properties", p, ["ward", "name_en", "name_mr", "source_name"])
    g = shape(f["geometry"])
    if not g.is_valid:
        err(f"ward {p['ward']}: invalid geometry")
    ward_geom[p["ward"]] = g
if sorted(ward_geom) != WARD_IDS:
    err(f"wards.geojson: wards {sorted(ward_geom)}")
ward_prep = {w: prep(g) for w, g in ward_geom.items()}
boundary_fc = load("pmc_boundary.geojson")
if len(boundary_fc["features"]) != 1:
    err("pmc_boundary.geojson: expected one feature")
boundary = shape(boundary_fc["features"][0]["geometry"])
boundary_prep = prep(boundary)
ward_list = list(ward_geom.values())
for i, a in enumerate(ward_list):
    for b in ward_list[i + 1 :]:
        if a.intersection(b).area > 1e-10:
            err("wards overlap")
union_area = sum(g.area for g in ward_list)
if abs(union_area - boundary.area) > 1e-6 * max(boundary.area, 1):
    err(f"boundary area {boundary.area} != sum of wards {union_area}")

# the phone-sized wards GET /wards serves by default: what simplify_wards.py writes from wards.geojson,
# valid, the same wards and properties, still a coverage (no overlaps)
simplified_fc = load(simplify_wards.NAME)
if simplified_fc != simplify_wards.build():
    err(f"{simplify_wards.NAME}: differs from what tools/simplify_wards.py writes (run it)")
simplified = [shape(f["geometry"]) for f in simplified_fc["features"]]
if [f["properties"] for f in simplified_fc["features"]] != [f["properties"] for f in wards_fc["features"]]:
    err(f"{simplify_wards.NAME}: ward properties differ from wards.geojson")
for f, g in zip(simplified_fc["features"], simplified, strict=True):
    if not g.is_valid:
        err(f"{simplify_wards.NAME} {f['properties']['ward']}: invalid geometry")
for i, a in enumerate(simplified):
    for b in simplified[i + 1 :]:
        if a.intersection(b).area > 1e-10:
            err(f"{simplify_wards.NAME}: wards overlap")


def place(where, lat, lng, ward=None):
    """Check a point; return the list of wards containing it."""
    for v, name in ((lat, "lat"), (lng, "lng")):
        if not isinstance(v, (int, float)) or isinstance(v, bool) or round(v, 6) != v:
            err(f"{where}: {name} {v!r} not a number with ≤ 6 decimals")
            return []
    if not (18.35 <= lat <= 18.70 and 73.65 <= lng <= 74.10):
        err(f"{where}: ({lat}, {lng}) outside the Pune box")
    pt = Point(lng, lat)
    if not boundary_prep.contains(pt):
        err(f"{where}: ({lat}, {lng}) outside pmc_boundary")
    hits = [w for w, g in ward_prep.items() if g.contains(pt)]
    if ward is not None and hits != [ward]:
        err(f"{where}: ward {ward} but the point lies in {hits}")
    return hits


# ---------------------------------------------------------------- reference files
departments = load("departments.json")
offices = load("offices.json")
office_ids = {o["id"] for o in offices}
dept_ids = {d["id"] for d in departments}
for d in departments:
    w = f"departments[{d.get('id')}]"
    keys(w, d, ["id", "name", "phone", "email", "office_id"])
    if not SLUG.match(d["id"]):
        err(f"{w}: bad id")
    bilingual(f"{w}.name", d["name"], 2, 120)
    nullable(f"{w}.phone", d["phone"], PHONE, 20)
    nullable(f"{w}.email", d["email"], re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]+$"), 254)
    if d["office_id"] is not None and d["office_id"] not in office_ids:
        err(f"{w}: office_id {d['office_id']} unknown")
unique("departments", departments)
for need in (
    "solid_waste_management",
    "roads",
    "water_supply",
    "drainage",
    "electrical",
    "health",
    "garden",
    "encroachment",
    "building_control",
    "property_tax",
    "fire_brigade",
    "education",
    "veterinary",
    "tree_authority",
    "sanitation",
):
    if need not in dept_ids:
        err(f"departments: missing {need}")

types = Counter()
cfc_wards = Counter()
for o in offices:
    w = f"offices[{o.get('id')}]"
    keys(w, o, ["id", "type", "ward", "name", "address", "lat", "lng", "phone", "email", "hours", "services"])
    if not ID_RE["OFF"].match(o["id"]):
        err(f"{w}: bad id")
    types[o["type"]] += 1
    if o["type"] not in ("ward_office", "cfc", "head_office"):
        err(f"{w}: bad type")
    if (o["type"] == "head_office") != (o["ward"] is None):
        err(f"{w}: ward must be null exactly for the head office")
    if o["ward"] is not None and o["ward"] not in WARD_IDS:
        err(f"{w}: bad ward")
    bilingual(f"{w}.name", o["name"], 2, 120)
    bilingual(f"{w}.address", o["address"], 5, 300)
    bilingual(f"{w}.hours", o["hours"], 1, 120, nullable=True)
    nullable(f"{w}.phone", o["phone"], PHONE, 20)
    nullable(f"{w}.email", o["email"], re.compile(r"^[^@\s]+@[^@\s]+$"), 254)
    if not isinstance(o["services"], list) or len(o["services"]) > 30:
        err(f"{w}: services")
    for i, s in enumerate(o["services"]):
        bilingual(f"{w}.services[{i}]", s, 1, 120)
    place(w, o["lat"], o["lng"], o["ward"])
    if o["type"] == "cfc":
        cfc_wards[o["ward"]] += 1
unique("offices", offices)
if types != Counter({"head_office": 1, "ward_office": 15, "cfc": 42}):
    err(f"offices: counts {dict(types)} (want 1 + 15 + 42)")
if sorted({o["ward"] for o in offices if o["type"] == "ward_office"}) != WARD_IDS:
    err("offices: not one ward office per ward")
if sorted(cfc_wards) != WARD_IDS:
    err("offices: some ward has no CFC")

contacts = load("emergency_numbers.json")
for c in contacts:
    w = f"emergency_numbers[{c.get('id')}]"
    keys(w, c, ["id", "number", "name", "category", "scope", "hours", "sample", "sort"])
    if not ID_RE["CON"].match(c["id"]):
        err(f"{w}: bad id")
    if not NUMBER.match(c["number"]):
        err(f"{w}: bad number")
    bilingual(f"{w}.name", c["name"], 2, 120)
    bilingual(f"{w}.hours", c["hours"], 1, 120, nullable=True)
    if c["category"] not in (
        "emergency",
        "police",
        "fire",
        "ambulance",
        "women",
        "children",
        "disaster",
        "pmc",
        "utility",
        "other",
    ):
        err(f"{w}: bad category")
    if c["scope"] not in ("national", "state", "city"):
        err(f"{w}: bad scope")
    if not isinstance(c["sample"], bool) or not isinstance(c["sort"], int) or not 0 <= c["sort"] <= 9999:
        err(f"{w}: sample/sort")
unique("emergency_numbers", contacts)
if len({c["number"] for c in contacts}) != len(contacts):
    err("emergency_numbers: duplicate numbers")
for n in ("112", "100", "101", "108", "1091", "1098"):
    if n not in {c["number"] for c in contacts}:
        err(f"emergency_numbers: missing {n}")

cats = load("facility_categories.json")
for c in cats:
    keys(f"facility_categories[{c.get('id')}]", c, ["id", "name"])
    bilingual(f"facility_categories[{c['id']}].name", c["name"], 2, 120)
if [c["id"] for c in cats] != FACILITY_CATEGORIES:
    err("facility_categories: ids differ from the seed set")

facilities = load("facilities.json")
per_cat, per_ward = Counter(), Counter()
for f in facilities:
    w = f"facilities[{f.get('id')}]"
    keys(
        w,
        f,
        ["id", "category", "name", "address", "ward", "lat", "lng", "phone", "hours", "open_24x7", "website", "sample"],
    )
    if not ID_RE["FAC"].match(f["id"]):
        err(f"{w}: bad id")
    if f["category"] not in FACILITY_CATEGORIES:
        err(f"{w}: unknown category")
    bilingual(f"{w}.name", f["name"], 2, 120)
    bilingual(f"{w}.address", f["address"], 5, 300)
    bilingual(f"{w}.hours", f["hours"], 1, 120, nullable=True)
    nullable(f"{w}.phone", f["phone"], PHONE, 20)
    nullable(f"{w}.website", f["website"], re.compile(r"^https://\S+$"), 300)
    if not isinstance(f["open_24x7"], bool) or not isinstance(f["sample"], bool):
        err(f"{w}: open_24x7/sample not boolean")
    if f["sample"] and not ("(sample)" in f["name"]["en"] and "(नमुना)" in f["name"]["mr"]):
        err(f"{w}: sample row without (sample)/(नमुना) in its name")
    if f["ward"] not in WARD_IDS:
        err(f"{w}: bad ward")
    place(w, f["lat"], f["lng"], f["ward"])
    per_cat[f["category"]] += 1
    per_ward[f["ward"]] += 1
unique("facilities", facilities)
if len(facilities) < 300:
    err(f"facilities: only {len(facilities)}")
for c in FACILITY_CATEGORIES:
    if per_cat[c] < 8:
        err(f"facilities: category {c} has {per_cat[c]} (< 8)")
for wd in WARD_IDS:
    if per_ward[wd] == 0:
        err(f"facilities: ward {wd} has none")

whos = load("whos_who.json")
levels = Counter()
for p in whos:
    w = f"whos_who[{p.get('id')}]"
    keys(w, p, ["id", "name", "designation", "level", "department_id", "ward", "office_id", "phone", "email", "sort"])
    if not ID_RE["WHO"].match(p["id"]):
        err(f"{w}: bad id")
    bilingual(f"{w}.name", p["name"], 2, 160)
    bilingual(f"{w}.designation", p["designation"], 2, 160)
    if "(sample)" not in p["name"]["en"] or "(नमुना)" not in p["name"]["mr"]:
        err(f"{w}: names must be sample placeholders")
    if p["level"] not in (
        "commissioner",
        "additional_commissioner",
        "deputy_commissioner",
        "assistant_commissioner",
        "department_head",
        "officer",
    ):
        err(f"{w}: bad level")
    levels[p["level"]] += 1
    if p["department_id"] is not None and p["department_id"] not in dept_ids:
        err(f"{w}: unknown department_id")
    if p["office_id"] is not None and p["office_id"] not in office_ids:
        err(f"{w}: unknown office_id")
    if p["ward"] is not None and p["ward"] not in WARD_IDS:
        err(f"{w}: bad ward")
    if p["level"] == "assistant_commissioner":
        office = next((o for o in offices if o["id"] == p["office_id"]), None)
        if p["ward"] is None or office is None or office["ward"] != p["ward"] or office["type"] != "ward_office":
            err(f"{w}: assistant commissioner needs ward and that ward's office")
    if p["level"] == "department_head" and p["department_id"] is None:
        err(f"{w}: department head without department_id")
    nullable(f"{w}.phone", p["phone"], PHONE, 20)
    if not isinstance(p["sort"], int) or not 0 <= p["sort"] <= 9999:
        err(f"{w}: sort")
unique("whos_who", whos)
if levels["assistant_commissioner"] != 15 or levels["commissioner"] != 1:
    err(f"whos_who: levels {dict(levels)}")

griev = load("grievance_categories.json")
for g in griev:
    w = f"grievance_categories[{g.get('id')}]"
    keys(w, g, ["id", "name", "department_id", "sla_hours", "attributes"])
    if not SLUG.match(g["id"]):
        err(f"{w}: bad id")
    bilingual(f"{w}.name", g["name"], 2, 120)
    if g["department_id"] not in dept_ids:
        err(f"{w}: unknown department_id")
    if not isinstance(g["sla_hours"], int) or not 1 <= g["sla_hours"] <= 720:
        err(f"{w}: sla_hours")
    for a in g["attributes"]:
        keys(f"{w}.attr", a, ["code", "datatype", "required", "order", "description", "values"])
        if a["datatype"] not in ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"):
            err(f"{w}: attribute datatype")
        bilingual(f"{w}.attr.description", a["description"], 1, 300)
        if a["datatype"].endswith("valuelist") != bool(a["values"]):
            err(f"{w}: attribute values must be non-empty exactly for list types")
        for v in a["values"]:
            keys(f"{w}.attr.value", v, ["key", "name"])
            bilingual(f"{w}.attr.value.name", v["name"], 1, 120)
unique("grievance_categories", griev)
gids = {g["id"] for g in griev}
for need in (
    "garbage_not_collected",
    "pothole",
    "streetlight_not_working",
    "water_leakage",
    "no_water_supply",
    "drainage_overflow",
    "stray_animals",
    "encroachment",
    "illegal_construction",
    "tree_fall",
    "mosquito_breeding",
    "public_toilet_cleanliness",
):
    if need not in gids:
        err(f"grievance_categories: missing {need}")
if len(griev) < 16:
    err("grievance_categories: fewer than 16")

# ---------------------------------------------------------------- property tax and water bills (sample)
PROPERTY_ID = re.compile(r"^PMC-W(0[1-9]|1[0-5])-[0-9]{6}$")
CONSUMER_NO = re.compile(r"^WC-[0-9]{7}$")
FY_LINE = re.compile(r"^(20[0-9]{2})-([0-9]{2})-(H[12]|Q[1-4])$")
PAYMENT_YEARS = set(make_payments.YEARS)


def paise(where, v):
    if type(v) is not int or v < 0:
        err(f"{where}: {v!r} is not whole paise >= 0")
        return False
    return True


def dues_lines(where, lines, kind):
    ids = [line.get("id") for line in lines]
    if not lines or len(set(ids)) != len(ids) or ids != sorted(ids):
        err(f"{where}: lines missing, repeated or not oldest first")
    for line in lines:
        w = f"{where}.{line.get('id')}"
        m = FY_LINE.match(str(line.get("id")))
        if m is None or int(m.group(2)) != (int(m.group(1)) + 1) % 100 or m.group(3)[0] != kind[0]:
            err(f"{w}: bad line id")
        elif f"{m.group(1)}-{m.group(2)}" not in PAYMENT_YEARS:
            err(f"{w}: financial year outside {sorted(PAYMENT_YEARS)}")
        if kind == "H":
            keys(w, line, ["id", "principal_paise", "general_tax_paise", "paid_principal_paise"])
            amounts = [line.get(k) for k in ("principal_paise", "general_tax_paise", "paid_principal_paise")]
            if all(paise(w, a) for a in amounts) and max(amounts[1], amounts[2]) > amounts[0]:
                err(f"{w}: general tax or paid principal above the principal")
        else:
            keys(w, line, ["id", "consumption_kl", "amount_paise", "paid_paise"])
            if line.get("consumption_kl") is not None and (
                type(line["consumption_kl"]) is not int or line["consumption_kl"] < 0
            ):
                err(f"{w}: consumption_kl")
            amount, paid = line.get("amount_paise"), line.get("paid_paise")
            if all([paise(w, amount), paise(w, paid)]) and paid > amount:
                err(f"{w}: paid above the amount")


def records(name, rows, id_key, id_re, extra, kind, lines_key):
    for r in rows:
        w = f"{name}[{r.get(id_key)}]"
        keys(w, r, [id_key, "ward", "owner_name", *extra, "locality", "sample", lines_key])
        if not id_re.match(str(r.get(id_key))):
            err(f"{w}: bad id")
        if r.get("ward") not in WARD_IDS or (kind == "H" and r[id_key][4:7] != r.get("ward")):
            err(f"{w}: bad ward")
        text_ok(f"{w}.owner_name", r.get("owner_name"), 2, 100)
        bilingual(f"{w}.locality", r.get("locality"), 2, 120)
        if r.get("sample") is not True:
            err(f"{w}: not marked sample")
        dues_lines(w, r.get(lines_key) or [], kind)
    ids = [r.get(id_key) for r in rows]
    if len(set(ids)) != len(ids):
        err(f"{name}: duplicate ids")
    if len(rows) < 200 or sorted({r.get("ward") for r in rows}) != WARD_IDS:
        err(f"{name}: {len(rows)} records; need at least 200 across all 15 wards")


property_rows = load("properties.json")
connection_rows = load("water_connections.json")
records("properties", property_rows, "property_id", PROPERTY_ID, [], "H", "demands")
records("water_connections", connection_rows, "consumer_no", CONSUMER_NO, ["connection_type"], "Q", "bills")
for c in connection_rows:
    if c.get("connection_type") not in ("domestic", "non_domestic"):
        err(f"water_connections[{c.get('consumer_no')}]: bad connection_type")
by_property = {r["property_id"]: r for r in property_rows}
by_consumer = {r["consumer_no"]: r for r in connection_rows}
for demo in make_payments.DEMO_PROPERTIES:
    if by_property.get(demo["property_id"]) != demo:
        err(f"properties: demo record {demo['property_id']} differs from API.md")
for demo in make_payments.DEMO_CONNECTIONS:
    if by_consumer.get(demo["consumer_no"]) != demo:
        err(f"water_connections: demo record {demo['consumer_no']} differs from API.md")
for name, rows in make_payments.build().items():
    if load(name) != rows:
        err(f"{name}: differs from what tools/make_payments.py writes (run it)")
states = Counter(
    "paid"
    if line["paid_principal_paise"] == line["principal_paise"]
    else "partly"
    if line["paid_principal_paise"]
    else "unpaid"
    for r in property_rows
    for line in r["demands"]
)
if min(states["paid"], states["partly"], states["unpaid"]) < 20:
    err(f"properties: need paid, partly paid and unpaid lines, have {dict(states)}")

# surveys (API.md 5.2, 5.3; issue 18): the city perception survey, open; a closed one with seeded responses
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
RESPONSE_ID = re.compile(rf"^RSP-{CROCK}{{26}}$")
SURVEY_ID = re.compile(rf"^SUR-{CROCK}{{8}}$")
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
QUESTION_KEYS = ["id", "type", "audience", "required", "min", "max", "options", "text"]
SURVEY_KEYS = [
    "id",
    "status",
    "audience",
    "title",
    "description",
    "questions",
    "created_at",
    "opened_at",
    "closed_at",
    "sample",
    "responses",
]


def survey_answer_ok(q, value):
    if q["type"] in ("rating", "nps"):
        return isinstance(value, int) and not isinstance(value, bool) and q["min"] <= value <= q["max"]
    offered = [o["id"] for o in q["options"]]
    if q["type"] == "single_choice":
        return value in offered
    if q["type"] == "multi_choice":
        return (
            isinstance(value, list)
            and len(set(value)) == len(value)
            and set(value) <= set(offered)
            and q["min"] <= len(value) <= q["max"]
        )
    return (
        isinstance(value, str)
        and value == value.strip()
        and q["min"] <= len(value) <= q["max"]
        and not CONTROL.search(value)
    )


surveys = load(make_survey.NAME)
if surveys != make_survey.build()[make_survey.NAME]:
    err(f"{make_survey.NAME}: differs from what tools/make_survey.py writes (run it)")
for sv in surveys:
    where = f"surveys[{sv.get('id')}]"
    keys(where, sv, SURVEY_KEYS)
    if not SURVEY_ID.match(sv["id"]) or sv["sample"] is not True or sv["audience"] != "all":
        err(f"{where}: bad id, sample flag or audience")
    bilingual(f"{where}.title", sv["title"], 3, 200)
    bilingual(f"{where}.description", sv["description"], 1, 1000)
    qids = [q["id"] for q in sv["questions"]]
    if len(set(qids)) != len(qids) or not 1 <= len(qids) <= 100:
        err(f"{where}: question ids repeat or 1-100 questions broken")
    for q in sv["questions"]:
        keys(f"{where}.{q['id']}", q, QUESTION_KEYS)
        bilingual(f"{where}.{q['id']}.text", q["text"], 1, 500)
        if not QUESTION_ID.match(q["id"]) or q["audience"] not in ("all", "citizen", "tourist"):
            err(f"{where}.{q['id']}: bad id or audience")
        choice = q["type"] in ("single_choice", "multi_choice")
        if choice != bool(q["options"]) or (choice and not 2 <= len(q["options"]) <= 20):
            err(f"{where}.{q['id']}: options do not fit type {q['type']}")
        for o in q["options"]:
            if not QUESTION_ID.match(o["id"]):
                err(f"{where}.{q['id']}: bad option id {o['id']}")
            bilingual(f"{where}.{q['id']}.{o['id']}", o["text"], 1, 200)
        bounds = {"rating": (0, 10), "nps": (0, 10), "multi_choice": (1, len(q["options"])), "text": (1, 2000)}
        if q["type"] in bounds:
            lo, hi = bounds[q["type"]]
            if not (isinstance(q["min"], int) and isinstance(q["max"], int) and lo <= q["min"] <= q["max"] <= hi):
                err(f"{where}.{q['id']}: min/max outside {lo}..{hi}")
        elif (q["min"], q["max"]) != (None, None):
            err(f"{where}.{q['id']}: single_choice min/max must be null")
    questions = {q["id"]: q for q in sv["questions"]}
    times = [r["submitted_at"] for r in sv["responses"]]
    if times != sorted(times) or len({r["id"] for r in sv["responses"]}) != len(times):
        err(f"{where}: responses not in submission order or ids repeat")
    for r in sv["responses"]:
        rw = f"{where}.responses[{r.get('id')}]"
        keys(rw, r, ["id", "submitted_at", "respondent_type", "channel", "answers"])
        if (
            not RESPONSE_ID.match(r["id"])
            or not ISO_Z.match(r["submitted_at"])
            or r["channel"] not in ("anonymous", "signed_in")
        ):
            err(f"{rw}: bad id, time or channel")
        if not sv["opened_at"] <= r["submitted_at"] <= (sv["closed_at"] or "9999"):
            err(f"{rw}: submitted outside the survey's open period")
        for qid, value in r["answers"].items():
            q = questions.get(qid)
            if q is None or q["audience"] not in ("all", r["respondent_type"]) or not survey_answer_ok(q, value):
                err(f"{rw}: bad answer to {qid}")
        for q in sv["questions"]:
            if q["required"] and q["audience"] in ("all", r["respondent_type"]) and q["id"] not in r["answers"]:
                err(f"{rw}: required {q['id']} unanswered")
by_status = {sv["status"]: sv for sv in surveys}
city_survey, closed_survey = by_status.get("open"), by_status.get("closed")
if city_survey is None or len(city_survey["questions"]) < 12 or city_survey["responses"]:
    err("surveys: need the open city survey, at least 12 questions, no seeded responses")
else:
    city_types = {q["type"] for q in city_survey["questions"]}
    if (
        city_types != {"rating", "nps", "single_choice", "multi_choice", "text"}
        or [q["type"] for q in city_survey["questions"]].count("nps") != 1
    ):
        err(f"surveys: the city survey needs ratings, one nps, single and multi choice and text, has {city_types}")
    if not {"citizen", "tourist", "all"} <= {q["audience"] for q in city_survey["questions"]}:
        err("surveys: the city survey needs citizen-only and tourist-only questions")
    topics = " ".join(q["text"]["en"].lower() for q in city_survey["questions"])
    for topic in ("clean", "water", "road", "safe", "transport", "parks", "complaint", "overall"):
        if topic not in topics:
            err(f"surveys: the city survey asks nothing about {topic}")
if closed_survey is None or not closed_survey["responses"] or closed_survey["closed_at"] is None:
    err("surveys: need a closed survey with seeded responses")

# ---------------------------------------------------------------- city updates (API.md 2.4; sample, issue 18)
UPDATE_ID = re.compile(rf"^UPD-{CROCK}{{8}}$")
UPDATE_CATEGORIES = ("water_cut", "road_closure", "health_drive", "event", "other")
UPDATE_MAX_SPAN_HOURS = 90 * 24
updates = load("city_updates.json")
if updates != make_city_updates.build():
    err("city_updates.json: differs from what tools/make_city_updates.py writes (run it)")
for u in updates:
    w = f"city_updates[{u.get('id')}]"
    keys(
        w,
        u,
        [
            "id",
            "category",
            "ward",
            "title",
            "body",
            "starts_offset_hours",
            "duration_hours",
            "created_offset_hours",
            "sample",
        ],
    )
    if not UPDATE_ID.match(str(u.get("id"))):
        err(f"{w}: bad id")
    if u.get("category") not in UPDATE_CATEGORIES:
        err(f"{w}: bad category")
    if u.get("ward") is not None and u.get("ward") not in WARD_IDS:
        err(f"{w}: bad ward")
    bilingual(f"{w}.title", u.get("title"), 3, 120)
    bilingual(f"{w}.body", u.get("body"), 10, 2000)
    title = u.get("title") or {}
    if u.get("sample") is not True or "(sample)" not in str(title.get("en")) or "(नमुना)" not in str(title.get("mr")):
        err(f"{w}: not marked sample (field and title)")
    offsets = [u.get(k) for k in ("starts_offset_hours", "duration_hours", "created_offset_hours")]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in offsets):
        err(f"{w}: offsets must be whole hours")
        continue
    starts, duration, created = offsets
    if not 1 <= duration <= UPDATE_MAX_SPAN_HOURS:
        err(f"{w}: duration {duration} h outside 1..{UPDATE_MAX_SPAN_HOURS} (API.md 2.4: at most 90 days)")
    if created > min(starts, 0):
        err(f"{w}: created after its start or after the load time")
unique("city_updates", updates)
# on a fresh `make run` (offsets around the load time): the three are live, each where it belongs
live = {
    (u["category"], u["ward"])
    for u in updates
    if isinstance(u.get("starts_offset_hours"), int)
    and u["starts_offset_hours"] < 0 < u["starts_offset_hours"] + u["duration_hours"]
}
kasba = next(((lat, lng) for name, _, lat, lng in make_city_updates.LOCALITIES if name == "Kasba Peth"), None)
kasba_wards = place("Kasba Peth", *kasba) if kasba else []
if len(kasba_wards) != 1 or ("water_cut", kasba_wards[0]) not in live:
    err(f"city_updates: no live water cut in Kasba Peth's ward {kasba_wards}")
if not any(category == "road_closure" for category, _ in live) or ("health_drive", None) not in live:
    err("city_updates: need a live road closure and a live city-wide health drive")

# the locality gazetteer Open311 resolves `address_string` with (grievance.reference.localities): bilingual
# names, a known ward each, no name twice (an address must resolve to one ward)
localities = load("localities.json")
seen_names = set()
for n, loc in enumerate(localities if isinstance(localities, list) else []):
    where = f"localities[{n}]"
    keys(where, loc, ["name", "ward"])
    bilingual(f"{where}.name", loc.get("name"), 2, 60)
    if loc.get("ward") not in ward_geom:
        err(f"{where}: unknown ward {loc.get('ward')!r}")
    for lang in ("en", "mr"):
        folded = "".join(str((loc.get("name") or {}).get(lang, "")).casefold().split())
        if folded in seen_names:
            err(f"{where}: name {folded!r} repeats")
        seen_names.add(folded)
if not isinstance(localities, list) or len(localities) < 15:
    err("localities.json: expected a list of at least 15 localities")
elif {loc.get("ward") for loc in localities} != set(ward_geom):
    err("localities.json: every ward needs at least one locality")

# ids unique across all files too
all_ids = [r["id"] for rows in (contacts, offices, facilities, whos) for r in rows]
if len(all_ids) != len(set(all_ids)):
    err("ids repeat across files")
size = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
if size > 1_600_000:
    err(f"data/ is {size} bytes (> ~1.5 MB)")

if errors:
    for e in errors[:200]:
        print("FAIL", e)
    print(f"{len(errors)} problem(s)")
    sys.exit(1)
print(
    f"OK: {len(ward_geom)} wards, {len(offices)} offices ({dict(types)}), {len(facilities)} facilities "
    f"({sum(not f['sample'] for f in facilities)} real), {len(contacts)} contacts, {len(departments)} departments, "
    f"{len(whos)} who's who, {len(griev)} grievance categories, {len(property_rows)} properties, "
    f"{len(connection_rows)} water connections, {len(surveys)} surveys "
    f"({sum(len(sv['responses']) for sv in surveys)} seeded responses), {size} bytes"
)
