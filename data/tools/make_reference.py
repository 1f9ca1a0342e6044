"""Build the small reference files of data/ (deterministic; re-run reproduces them byte for byte):

emergency_numbers.json, departments.json, offices.json, facility_categories.json,
whos_who.json, grievance_categories.json.  Needs data/wards.geojson (make_wards.py).
Ids are derived from stable keys (see _common.stable_id), so they never change between runs.
"""

from __future__ import annotations

import random

from _common import DATA, LOCALITIES, WARDS, bi, dump, mr_digits, stable_id, ward_shapes, wards_containing

SHAPES = ward_shapes()


def hours(en: str) -> dict:
    tr = {
        "Mon": "सोम",
        "Tue": "मंगळ",
        "Wed": "बुध",
        "Thu": "गुरु",
        "Fri": "शुक्र",
        "Sat": "शनि",
        "Sun": "रवि",
        "closed": "बंद",
        "24x7": "२४x७",
    }
    mr = en
    for k, v in tr.items():
        mr = mr.replace(k, v)
    return bi(en, mr_digits(mr))


# ----------------------------------------------------------------------------- contacts
# (number, en, mr, category, scope, hours or None, sample)
CONTACTS = [
    (
        "112",
        "Emergency response (police, fire, ambulance)",
        "आपत्कालीन प्रतिसाद (पोलीस, अग्निशमन, रुग्णवाहिका)",
        "emergency",
        "national",
        "24x7",
        False,
    ),
    ("100", "Police", "पोलीस", "police", "national", "24x7", False),
    ("101", "Fire brigade", "अग्निशमन दल", "fire", "national", "24x7", False),
    (
        "108",
        "Ambulance (emergency medical services)",
        "रुग्णवाहिका (आपत्कालीन वैद्यकीय सेवा)",
        "ambulance",
        "state",
        "24x7",
        False,
    ),
    (
        "102",
        "Ambulance for pregnant women and infants",
        "गर्भवती महिला व नवजात बालकांसाठी रुग्णवाहिका",
        "ambulance",
        "state",
        "24x7",
        False,
    ),
    ("1091", "Women helpline (police)", "महिला हेल्पलाइन (पोलीस)", "women", "national", "24x7", False),
    ("181", "Women helpline", "महिला सहाय्यता क्रमांक", "women", "national", "24x7", False),
    (
        "1098",
        "Childline (children in need of care)",
        "चाइल्डलाइन (मदतीची गरज असलेली मुले)",
        "children",
        "national",
        "24x7",
        False,
    ),
    ("1077", "District disaster control room", "जिल्हा आपत्ती नियंत्रण कक्ष", "disaster", "city", "24x7", False),
    ("1070", "State disaster control room", "राज्य आपत्ती नियंत्रण कक्ष", "disaster", "state", "24x7", False),
    ("1930", "Cyber crime helpline", "सायबर गुन्हे हेल्पलाइन", "police", "national", "24x7", False),
    ("14567", "Elder line (senior citizens)", "ज्येष्ठ नागरिक हेल्पलाइन", "other", "national", "Mon–Sun 08:00–20:00", True),
    ("104", "Health helpline", "आरोग्य सल्ला हेल्पलाइन", "ambulance", "state", "24x7", True),
    ("1064", "Anti-Corruption Bureau", "लाचलुचपत प्रतिबंधक विभाग", "other", "state", "24x7", True),
    (
        "1912",
        "MSEDCL electricity complaints (supply failure)",
        "महावितरण वीज तक्रार (वीजपुरवठा खंडित)",
        "utility",
        "state",
        "24x7",
        False,
    ),
    (
        "1800-233-3435",
        "MSEDCL toll-free customer care",
        "महावितरण टोल-फ्री ग्राहक सेवा",
        "utility",
        "state",
        "24x7",
        False,
    ),
    (
        "1800-103-0222",
        "PMC toll-free helpline (PMC CARE)",
        "पुणे महानगरपालिका टोल-फ्री हेल्पलाइन (पीएमसी केअर)",
        "pmc",
        "city",
        "Mon–Sat 09:00–21:00",
        True,
    ),
    (
        "020-25501000",
        "PMC main office switchboard",
        "पुणे महानगरपालिका मुख्य कार्यालय दूरध्वनी",
        "pmc",
        "city",
        "Mon–Fri 10:00–17:45",
        True,
    ),
    (
        "020-26451707",
        "PMC fire brigade control room",
        "पुणे महानगरपालिका अग्निशमन नियंत्रण कक्ष",
        "fire",
        "city",
        "24x7",
        True,
    ),
    (
        "020-25506800",
        "PMC disaster management cell",
        "पुणे महानगरपालिका आपत्ती व्यवस्थापन कक्ष",
        "disaster",
        "city",
        "24x7",
        True,
    ),
]


def contacts():
    out = []
    for i, (num, en, mr, cat, scope, hrs, sample) in enumerate(CONTACTS):
        out.append(
            {
                "id": stable_id("CON", num),
                "number": num,
                "name": bi(en, mr),
                "category": cat,
                "scope": scope,
                "hours": hours(hrs) if hrs else None,
                "sample": sample,
                "sort": (i + 1) * 10,
            }
        )
    return out


# ----------------------------------------------------------------------------- offices
HEAD_OFFICE_ID = stable_id("OFF", "head_office")
OFFICE_HOURS = "Mon–Sat 10:00–17:45"
CFC_HOURS = "Mon–Sat 10:00–17:00"
WARD_OFFICE_SERVICES = [
    ("Property tax", "मिळकत कर"),
    ("Water connection and water bills", "नळजोड व पाणीपट्टी"),
    ("Birth and death registration", "जन्म व मृत्यू नोंदणी"),
    ("Grievances (PMC CARE)", "तक्रार निवारण (पीएमसी केअर)"),
    ("Building permission enquiries", "बांधकाम परवानगी चौकशी"),
    ("Encroachment removal", "अतिक्रमण निर्मूलन"),
    ("Solid waste management", "घनकचरा व्यवस्थापन"),
    ("Health and sanitation", "आरोग्य व स्वच्छता"),
]
CFC_SERVICES = [
    ("Property tax payment", "मिळकत कर भरणा"),
    ("Water bill payment", "पाणीपट्टी भरणा"),
    ("Birth and death certificate copies", "जन्म व मृत्यू दाखल्याच्या प्रती"),
    ("Grievance registration", "तक्रार नोंदणी"),
    ("Application forms and receipts", "अर्ज व पावत्या"),
]
# ward: (locality en, locality mr, PIN, lat, lng) – approximate ward office locations (README)
WARD_OFFICES = {
    "W01": ("Aundh", "औंध", "411007", 18.5605, 73.8086),
    "W02": ("Bhavani Peth", "भवानी पेठ", "411042", 18.5045, 73.8700),
    "W03": ("Bibwewadi", "बिबवेवाडी", "411037", 18.4780, 73.8650),
    "W04": ("Sahakarnagar", "सहकारनगर", "411009", 18.4870, 73.8530),
    "W05": ("Dhole Patil Road", "ढोले पाटील रस्ता", "411001", 18.5330, 73.8800),
    "W06": ("Hadapsar", "हडपसर", "411028", 18.4995, 73.9330),
    "W07": ("Kasba Peth", "कसबा पेठ", "411011", 18.5196, 73.8553),
    "W08": ("Katraj–Kondhwa Road", "कात्रज–कोंढवा रस्ता", "411046", 18.4560, 73.8700),
    "W09": ("Kothrud", "कोथरूड", "411038", 18.5050, 73.8100),
    "W10": ("Nagar Road, Ramwadi", "नगर रस्ता, रामवाडी", "411014", 18.5555, 73.9110),
    "W11": ("Ghole Road, Shivajinagar", "घोले रस्ता, शिवाजीनगर", "411005", 18.5255, 73.8450),
    "W12": ("Sinhagad Road", "सिंहगड रस्ता", "411030", 18.4810, 73.8270),
    "W13": ("Wanowrie", "वानवडी", "411040", 18.4950, 73.9050),
    "W14": ("Karve Nagar", "कर्वेनगर", "411052", 18.4880, 73.8180),
    "W15": ("Yerawada", "येरवडा", "411006", 18.5540, 73.8850),
}
# extra CFCs per ward (beyond the one at each ward office): 27 in all
EXTRA_CFCS = {
    "W01": 3,
    "W02": 1,
    "W03": 2,
    "W04": 1,
    "W05": 2,
    "W06": 2,
    "W07": 1,
    "W08": 2,
    "W09": 2,
    "W10": 3,
    "W11": 2,
    "W12": 2,
    "W13": 2,
    "W14": 1,
    "W15": 1,
}


def services(pairs):
    return [bi(en, mr) for en, mr in pairs]


def offices():
    out = [
        {
            "id": HEAD_OFFICE_ID,
            "type": "head_office",
            "ward": None,
            "name": bi("PMC Main Building (head office)", "पुणे महानगरपालिका मुख्य इमारत (मुख्य कार्यालय)"),
            "address": bi(
                "Pune Municipal Corporation Main Building, Shivajinagar, Pune 411005",
                "पुणे महानगरपालिका मुख्य इमारत, शिवाजीनगर, पुणे ४११००५",
            ),
            "lat": 18.5232,
            "lng": 73.8530,
            "phone": None,
            "email": None,
            "hours": hours(OFFICE_HOURS),
            "services": services(
                WARD_OFFICE_SERVICES + [("Marriage registration", "विवाह नोंदणी"), ("Licences and permits", "परवाने")]
            ),
        }
    ]
    for ward, en, mr in WARDS:
        loc_en, loc_mr, pin, lat, lng = WARD_OFFICES[ward]
        assert wards_containing(SHAPES, lat, lng) == [ward], ward
        out.append(
            {
                "id": stable_id("OFF", f"ward_office|{ward}"),
                "type": "ward_office",
                "ward": ward,
                "name": bi(f"{en} Ward Office", f"{mr} क्षेत्रीय कार्यालय"),
                "address": bi(
                    f"{en} Ward Office, {loc_en}, Pune {pin}", f"{mr} क्षेत्रीय कार्यालय, {loc_mr}, पुणे {mr_digits(pin)}"
                ),
                "lat": lat,
                "lng": lng,
                "phone": None,
                "email": None,
                "hours": hours(OFFICE_HOURS),
                "services": services(WARD_OFFICE_SERVICES),
            }
        )
        out.append(
            {
                "id": stable_id("OFF", f"cfc|{ward}|ward_office"),
                "type": "cfc",
                "ward": ward,
                "name": bi(f"Citizen Facilitation Centre, {en} Ward Office", f"नागरी सुविधा केंद्र, {mr} क्षेत्रीय कार्यालय"),
                "address": bi(
                    f"Ground floor, {en} Ward Office, {loc_en}, Pune {pin}",
                    f"तळमजला, {mr} क्षेत्रीय कार्यालय, {loc_mr}, पुणे {mr_digits(pin)}",
                ),
                "lat": lat,
                "lng": lng,
                "phone": None,
                "email": None,
                "hours": hours(CFC_HOURS),
                "services": services(CFC_SERVICES),
            }
        )
    rng = random.Random(20260401)
    for ward, n in EXTRA_CFCS.items():
        locs = [l for l in LOCALITIES if wards_containing(SHAPES, l[2], l[3]) == [ward]]
        assert len(locs) >= n, ward
        for k in range(n):
            loc_en, loc_mr, lat, lng = locs[(k + 1) % len(locs)] if len(locs) > 1 else locs[0]
            for _ in range(100):  # small deterministic offset, staying in the same ward
                p = (round(lat + rng.uniform(-0.003, 0.003), 6), round(lng + rng.uniform(-0.003, 0.003), 6))
                if wards_containing(SHAPES, *p) == [ward]:
                    break
            else:
                raise SystemExit(f"no point for CFC in {ward}")
            out.append(
                {
                    "id": stable_id("OFF", f"cfc|{ward}|{loc_en}|{k}"),
                    "type": "cfc",
                    "ward": ward,
                    "name": bi(f"Citizen Facilitation Centre, {loc_en} (sample)", f"नागरी सुविधा केंद्र, {loc_mr} (नमुना)"),
                    "address": bi(f"{loc_en}, Pune (sample address)", f"{loc_mr}, पुणे (नमुना पत्ता)"),
                    "lat": p[0],
                    "lng": p[1],
                    "phone": None,
                    "email": None,
                    "hours": hours(CFC_HOURS),
                    "services": services(CFC_SERVICES),
                }
            )
    out.sort(key=lambda o: (o["ward"] or "", o["type"] != "head_office", o["type"] != "ward_office", o["name"]["en"]))
    return out


# ----------------------------------------------------------------------------- departments
# id, en, mr, email local part, head designation en, mr
DEPARTMENTS = [
    (
        "solid_waste_management",
        "Solid Waste Management",
        "घनकचरा व्यवस्थापन",
        "swm",
        "Head, Solid Waste Management Department",
        "प्रमुख, घनकचरा व्यवस्थापन विभाग",
    ),
    ("roads", "Road Department", "पथ विभाग", "roads", "Chief Engineer, Road Department", "मुख्य अभियंता, पथ विभाग"),
    (
        "water_supply",
        "Water Supply",
        "पाणीपुरवठा विभाग",
        "water",
        "Superintending Engineer, Water Supply",
        "अधीक्षक अभियंता, पाणीपुरवठा विभाग",
    ),
    (
        "drainage",
        "Drainage (Sewerage)",
        "मलनिःसारण (ड्रेनेज) विभाग",
        "drainage",
        "Superintending Engineer, Drainage",
        "अधीक्षक अभियंता, मलनिःसारण विभाग",
    ),
    (
        "electrical",
        "Electrical Department",
        "विद्युत विभाग",
        "electrical",
        "Chief Engineer, Electrical Department",
        "मुख्य अभियंता, विद्युत विभाग",
    ),
    ("health", "Health Department", "आरोग्य विभाग", "health", "Medical Officer of Health", "आरोग्य अधिकारी"),
    ("garden", "Garden Department", "उद्यान विभाग", "garden", "Superintendent of Gardens", "उद्यान अधीक्षक"),
    (
        "encroachment",
        "Encroachment Removal",
        "अतिक्रमण निर्मूलन विभाग",
        "encroachment",
        "Head, Encroachment Removal Department",
        "प्रमुख, अतिक्रमण निर्मूलन विभाग",
    ),
    (
        "building_control",
        "Building Control (Building Permission)",
        "बांधकाम विकास विभाग (बांधकाम परवानगी)",
        "building",
        "City Engineer, Building Control",
        "शहर अभियंता, बांधकाम विकास विभाग",
    ),
    (
        "property_tax",
        "Property Tax",
        "मिळकत कर विभाग",
        "propertytax",
        "Head, Property Tax Department",
        "प्रमुख, मिळकत कर विभाग",
    ),
    ("fire_brigade", "Fire Brigade", "अग्निशमन दल", "fire", "Chief Fire Officer", "मुख्य अग्निशमन अधिकारी"),
    ("education", "Education Department", "शिक्षण विभाग", "education", "Education Officer", "शिक्षणाधिकारी"),
    (
        "veterinary",
        "Veterinary Department",
        "पशुवैद्यकीय विभाग",
        "veterinary",
        "Chief Veterinary Officer",
        "मुख्य पशुवैद्यकीय अधिकारी",
    ),
    ("tree_authority", "Tree Authority", "वृक्ष प्राधिकरण", "trees", "Tree Officer", "वृक्ष अधिकारी"),
    (
        "sanitation",
        "Sanitation and Public Toilets",
        "स्वच्छता व सार्वजनिक स्वच्छतागृहे",
        "sanitation",
        "Head, Sanitation Department",
        "प्रमुख, स्वच्छता विभाग",
    ),
    (
        "disaster_management",
        "Disaster Management Cell",
        "आपत्ती व्यवस्थापन कक्ष",
        "disaster",
        "Disaster Management Officer",
        "आपत्ती व्यवस्थापन अधिकारी",
    ),
    ("sports", "Sports Department", "क्रीडा विभाग", "sports", "Head, Sports Department", "प्रमुख, क्रीडा विभाग"),
]


def departments():
    out = [
        {"id": d, "name": bi(en, mr), "phone": None, "email": f"{mail}@pmc.example", "office_id": HEAD_OFFICE_ID}
        for d, en, mr, mail, _, _ in DEPARTMENTS
    ]
    return sorted(out, key=lambda d: d["name"]["en"])


# ----------------------------------------------------------------------------- facility categories
FACILITY_CATEGORIES = [
    ("hospital", "Hospital", "रुग्णालय"),
    ("dispensary", "Dispensary", "दवाखाना"),
    ("maternity_home", "Maternity home", "प्रसूतिगृह"),
    ("police_station", "Police station", "पोलीस ठाणे"),
    ("fire_station", "Fire station", "अग्निशमन केंद्र"),
    ("public_toilet", "Public toilet", "सार्वजनिक स्वच्छतागृह"),
    ("garden", "Garden", "उद्यान"),
    ("swimming_pool", "Swimming pool", "जलतरण तलाव"),
    ("sports_complex", "Sports complex", "क्रीडा संकुल"),
    ("library", "Library", "ग्रंथालय"),
    ("school", "School", "शाळा"),
    ("crematorium", "Crematorium", "स्मशानभूमी"),
    ("vegetable_market", "Vegetable market", "भाजी मंडई"),
    ("parking", "Parking", "वाहनतळ"),
    ("ev_charging", "EV charging station", "ईव्ही चार्जिंग केंद्र"),
]


def facility_categories():
    return [{"id": i, "name": bi(en, mr)} for i, en, mr in FACILITY_CATEGORIES]


# ----------------------------------------------------------------------------- who's who
SURNAMES = [
    ("Patil", "पाटील"),
    ("Kulkarni", "कुलकर्णी"),
    ("Deshpande", "देशपांडे"),
    ("Joshi", "जोशी"),
    ("Shinde", "शिंदे"),
    ("Pawar", "पवार"),
    ("Jadhav", "जाधव"),
    ("Gaikwad", "गायकवाड"),
    ("Deshmukh", "देशमुख"),
    ("Kale", "काळे"),
    ("More", "मोरे"),
    ("Bhosale", "भोसले"),
    ("Chavan", "चव्हाण"),
    ("Kadam", "कदम"),
    ("Salunke", "साळुंके"),
    ("Mane", "माने"),
    ("Sawant", "सावंत"),
]
INITIALS = [
    ("A", "अ"),
    ("B", "ब"),
    ("D", "द"),
    ("G", "ग"),
    ("K", "क"),
    ("M", "म"),
    ("N", "न"),
    ("P", "प"),
    ("R", "र"),
    ("S", "स"),
    ("V", "व"),
    ("J", "ज"),
    ("H", "ह"),
    ("T", "त"),
]


def sample_name(i: int) -> dict:
    a = INITIALS[i % len(INITIALS)]
    b = INITIALS[(i * 5 + 3) % len(INITIALS)]
    s = SURNAMES[(i * 7) % len(SURNAMES)]
    return bi(f"{a[0]}. {b[0]}. {s[0]} (sample)", f"{a[1]}. {b[1]}. {s[1]} (नमुना)")


def whos_who(office_list):
    ward_office = {o["ward"]: o["id"] for o in office_list if o["type"] == "ward_office"}
    rows = [("commissioner", "Municipal Commissioner", "महापालिका आयुक्त", None, None, HEAD_OFFICE_ID, 10)]
    for k, (en, mr) in enumerate([("General", "सामान्य"), ("Estate", "इस्टेट"), ("Special", "विशेष")]):
        rows.append(
            (
                "additional_commissioner",
                f"Additional Municipal Commissioner ({en})",
                f"अतिरिक्त महापालिका आयुक्त ({mr})",
                None,
                None,
                HEAD_OFFICE_ID,
                20 + k,
            )
        )
    for z in range(1, 6):
        rows.append(
            (
                "deputy_commissioner",
                f"Deputy Municipal Commissioner, Zone {z}",
                f"उप महापालिका आयुक्त, परिमंडळ {mr_digits(str(z))}",
                None,
                None,
                HEAD_OFFICE_ID,
                30 + z,
            )
        )
    for n, (ward, _, _) in enumerate(WARDS):
        rows.append(
            (
                "assistant_commissioner",
                "Assistant Municipal Commissioner",
                "सहाय्यक महापालिका आयुक्त",
                None,
                ward,
                ward_office[ward],
                100 + n + 1,
            )
        )
    for n, (dep, _, _, _, des_en, des_mr) in enumerate(DEPARTMENTS):
        rows.append(("department_head", des_en, des_mr, dep, None, HEAD_OFFICE_ID, 200 + n))
    out = []
    for i, (level, des_en, des_mr, dep, ward, office, sort) in enumerate(rows):
        key = f"{level}|{dep or ward or des_en}"
        out.append(
            {
                "id": stable_id("WHO", key),
                "name": sample_name(i),
                "designation": bi(des_en, des_mr),
                "level": level,
                "department_id": dep,
                "ward": ward,
                "office_id": office,
                "phone": None,
                "email": None,
                "sort": sort,
            }
        )
    return sorted(out, key=lambda w: (w["sort"], w["id"]))


# ----------------------------------------------------------------------------- grievance categories
def attr(code, datatype, en, mr, order=1, required=False, values=()):
    return {
        "code": code,
        "datatype": datatype,
        "required": required,
        "order": order,
        "description": bi(en, mr),
        "values": [{"key": k, "name": bi(v_en, v_mr)} for k, v_en, v_mr in values],
    }


GRIEVANCE_CATEGORIES = [
    (
        "garbage_not_collected",
        "Garbage not collected",
        "कचरा उचलला गेला नाही",
        "solid_waste_management",
        48,
        [
            attr(
                "bin_type",
                "singlevaluelist",
                "Which bin?",
                "कोणती कचराकुंडी?",
                values=[
                    ("community", "Community bin", "सार्वजनिक कचराकुंडी"),
                    ("door_to_door", "Door-to-door collection", "घरोघरी कचरा संकलन"),
                    ("litter_bin", "Roadside litter bin", "रस्त्याकडेची कचरापेटी"),
                ],
            )
        ],
    ),
    (
        "illegal_dumping",
        "Debris or garbage dumped illegally",
        "राडारोडा / कचरा अनधिकृतपणे टाकला",
        "solid_waste_management",
        72,
        [],
    ),
    ("garbage_burning", "Garbage burning", "कचरा जाळणे", "solid_waste_management", 24, []),
    ("road_sweeping_not_done", "Road not swept", "रस्ता झाडलेला नाही", "solid_waste_management", 48, []),
    ("pothole", "Pothole", "रस्त्यावरील खड्डा", "roads", 72, []),
    ("broken_footpath", "Broken footpath", "तुटलेला पदपथ", "roads", 168, []),
    ("streetlight_not_working", "Streetlight not working", "पथदिवा बंद आहे", "electrical", 48, []),
    ("water_leakage", "Water pipeline leakage", "जलवाहिनी गळती", "water_supply", 24, []),
    ("no_water_supply", "No water supply", "पाणीपुरवठा नाही", "water_supply", 24, []),
    ("low_water_pressure", "Low water pressure", "कमी दाबाने पाणीपुरवठा", "water_supply", 48, []),
    ("contaminated_water", "Contaminated water supply", "दूषित पाणीपुरवठा", "water_supply", 24, []),
    ("drainage_overflow", "Drainage / sewage overflow", "ड्रेनेज / सांडपाणी तुंबले", "drainage", 24, []),
    (
        "drainage_cover_missing",
        "Drainage chamber cover missing or broken",
        "ड्रेनेज चेंबरचे झाकण गायब / तुटलेले",
        "drainage",
        24,
        [],
    ),
    (
        "stray_animals",
        "Stray animals",
        "भटकी जनावरे",
        "veterinary",
        72,
        [
            attr(
                "animal",
                "singlevaluelist",
                "Which animal?",
                "कोणते जनावर?",
                values=[
                    ("dog", "Dog", "कुत्रा"),
                    ("cattle", "Cattle", "गुरे"),
                    ("pig", "Pig", "डुक्कर"),
                    ("other", "Other", "इतर"),
                ],
            )
        ],
    ),
    ("dead_animal", "Dead animal", "मृत जनावर", "veterinary", 24, []),
    ("encroachment", "Encroachment on road or footpath", "रस्ता / पदपथावर अतिक्रमण", "encroachment", 168, []),
    ("illegal_construction", "Illegal construction", "अनधिकृत बांधकाम", "building_control", 360, []),
    ("tree_fall", "Fallen tree or branch", "झाड / फांदी पडली", "tree_authority", 24, []),
    ("tree_trimming", "Tree trimming needed", "झाडाची छाटणी आवश्यक", "tree_authority", 168, []),
    ("mosquito_breeding", "Mosquito breeding", "डासांची उत्पत्ती", "health", 72, []),
    ("public_toilet_cleanliness", "Public toilet not clean", "सार्वजनिक स्वच्छतागृह अस्वच्छ", "sanitation", 24, []),
]


def grievance_categories():
    return [
        {"id": i, "name": bi(en, mr), "department_id": d, "sla_hours": s, "attributes": a}
        for i, en, mr, d, s, a in GRIEVANCE_CATEGORIES
    ]


def main():
    office_list = offices()
    dump(DATA / "emergency_numbers.json", contacts())
    dump(DATA / "offices.json", office_list)
    dump(DATA / "departments.json", departments())
    dump(DATA / "facility_categories.json", facility_categories())
    dump(DATA / "whos_who.json", whos_who(office_list))
    dump(DATA / "grievance_categories.json", grievance_categories())
    print("offices", len(office_list), "contacts", len(CONTACTS), "departments", len(DEPARTMENTS))


if __name__ == "__main__":
    main()
