"""Build data/facilities.json (deterministic: re-running reproduces the file byte for byte).

Two kinds of rows:
* REAL: well-known Pune facilities; name and locality are public facts, coordinates are
  approximate (general knowledge, not surveyed, typically within a few hundred metres);
  "sample": false. phone/website are left null (not verified).
* generated: for every category and every ward, points near a locality centre of that ward
  (data/tools/_common.LOCALITIES), jittered with a fixed-seed RNG and kept strictly inside
  the ward polygon; names such as "Public toilet 2, Kothrud (sample)"; "sample": true.

The ward of every row is the data/wards.geojson polygon containing its point.
Ids are FAC- + 8 Crockford chars derived from a stable key (category + name), so they do not
change when rows are added or removed.
"""

from __future__ import annotations

import random

from _common import DATA, LOCALITIES, WARDS, bi, dump, mr_digits, stable_id, ward_shapes, wards_containing
from shapely.geometry import Point

SEED = 20260401
SHAPES = ward_shapes()
GEOM = {w: g for w, _, g in SHAPES}
MARGIN = 0.0003  # generated points stay ≥ ~30 m inside their ward

CATEGORY = {  # en label, mr label, hours en (None = open 24x7)
    "hospital": ("Hospital", "रुग्णालय", None),
    "dispensary": ("Dispensary", "दवाखाना", "Mon–Sat 09:00–16:00"),
    "maternity_home": ("Maternity home", "प्रसूतिगृह", None),
    "police_station": ("Police station", "पोलीस ठाणे", None),
    "fire_station": ("Fire station", "अग्निशमन केंद्र", None),
    "public_toilet": ("Public toilet", "सार्वजनिक स्वच्छतागृह", "05:00–23:00"),
    "garden": ("Garden", "उद्यान", "06:00–10:00, 16:00–20:00"),
    "swimming_pool": ("Swimming pool", "जलतरण तलाव", "Tue–Sun 06:00–11:00, 15:00–19:00"),
    "sports_complex": ("Sports complex", "क्रीडा संकुल", "06:00–21:00"),
    "library": ("Library", "ग्रंथालय", "08:00–20:00"),
    "school": ("PMC school", "महापालिका शाळा", "Mon–Sat 07:30–17:30"),
    "crematorium": ("Crematorium", "स्मशानभूमी", "05:00–23:00"),
    "vegetable_market": ("Vegetable market", "भाजी मंडई", "06:00–21:00"),
    "parking": ("Parking", "वाहनतळ", "07:00–23:00"),
    "ev_charging": ("EV charging station", "ईव्ही चार्जिंग केंद्र", None),
}
# extra generated rows per ward for common facilities (on top of one per category per ward)
EXTRA_PER_WARD = {"public_toilet": 3, "school": 1, "dispensary": 1, "garden": 1, "parking": 1}

# category, name en, name mr, address en, address mr, lat, lng, open_24x7, hours en or None
REAL = [
    (
        "hospital",
        "Sassoon General Hospital",
        "ससून सर्वोपचार रुग्णालय",
        "Jai Prakash Narayan Road, near Pune Railway Station",
        "जयप्रकाश नारायण रस्ता, पुणे रेल्वे स्थानकाजवळ",
        18.5270,
        73.8710,
        True,
        None,
    ),
    (
        "hospital",
        "Kamla Nehru Hospital",
        "कमला नेहरू रुग्णालय",
        "Mangalwar Peth",
        "मंगळवार पेठ",
        18.5236,
        73.8627,
        True,
        None,
    ),
    (
        "hospital",
        "Dr. Naidu Infectious Diseases Hospital",
        "डॉ. नायडू सांसर्गिक रोग रुग्णालय",
        "Near Pune Railway Station",
        "पुणे रेल्वे स्थानकाजवळ",
        18.5315,
        73.8745,
        True,
        None,
    ),
    (
        "hospital",
        "Rajiv Gandhi Hospital, Yerawada",
        "राजीव गांधी रुग्णालय, येरवडा",
        "Yerawada",
        "येरवडा",
        18.5525,
        73.8890,
        True,
        None,
    ),
    ("hospital", "Sutar Hospital, Kothrud", "सुतार रुग्णालय, कोथरूड", "Kothrud", "कोथरूड", 18.5060, 73.8170, True, None),
    ("hospital", "Ruby Hall Clinic", "रुबी हॉल क्लिनिक", "Sassoon Road", "ससून रस्ता", 18.5333, 73.8773, True, None),
    ("hospital", "Jehangir Hospital", "जहांगीर रुग्णालय", "Sassoon Road", "ससून रस्ता", 18.5300, 73.8760, True, None),
    (
        "hospital",
        "Deenanath Mangeshkar Hospital",
        "दीनानाथ मंगेशकर रुग्णालय",
        "Erandwane",
        "एरंडवणे",
        18.5025,
        73.8322,
        True,
        None,
    ),
    ("hospital", "KEM Hospital", "केईएम रुग्णालय", "Rasta Peth", "रास्ता पेठ", 18.5190, 73.8650, True, None),
    (
        "hospital",
        "Bharati Hospital",
        "भारती रुग्णालय",
        "Dhankawadi, Pune–Satara Road",
        "धनकवडी, पुणे–सातारा रस्ता",
        18.4580,
        73.8560,
        True,
        None,
    ),
    (
        "hospital",
        "Noble Hospital",
        "नोबल रुग्णालय",
        "Magarpatta Road, Hadapsar",
        "मगरपट्टा रस्ता, हडपसर",
        18.5030,
        73.9290,
        True,
        None,
    ),
    (
        "hospital",
        "Sahyadri Hospital, Deccan",
        "सह्याद्री रुग्णालय, डेक्कन",
        "Karve Road, Deccan Gymkhana",
        "कर्वे रस्ता, डेक्कन जिमखाना",
        18.5130,
        73.8390,
        True,
        None,
    ),
    ("hospital", "Poona Hospital", "पूना हॉस्पिटल", "Sadashiv Peth", "सदाशिव पेठ", 18.5100, 73.8470, True, None),
    (
        "hospital",
        "Inlaks and Budhrani Hospital",
        "इनलॅक्स अँड बुधराणी रुग्णालय",
        "Koregaon Park",
        "कोरेगाव पार्क",
        18.5370,
        73.8880,
        True,
        None,
    ),
    (
        "police_station",
        "Shivajinagar Police Station",
        "शिवाजीनगर पोलीस ठाणे",
        "Shivajinagar",
        "शिवाजीनगर",
        18.5300,
        73.8470,
        True,
        None,
    ),
    (
        "police_station",
        "Deccan Police Station",
        "डेक्कन पोलीस ठाणे",
        "Deccan Gymkhana",
        "डेक्कन जिमखाना",
        18.5160,
        73.8410,
        True,
        None,
    ),
    (
        "police_station",
        "Faraskhana Police Station",
        "फरासखाना पोलीस ठाणे",
        "Budhwar Peth",
        "बुधवार पेठ",
        18.5190,
        73.8570,
        True,
        None,
    ),
    ("police_station", "Kothrud Police Station", "कोथरूड पोलीस ठाणे", "Kothrud", "कोथरूड", 18.5060, 73.8090, True, None),
    (
        "police_station",
        "Swargate Police Station",
        "स्वारगेट पोलीस ठाणे",
        "Swargate",
        "स्वारगेट",
        18.5010,
        73.8600,
        True,
        None,
    ),
    ("police_station", "Yerawada Police Station", "येरवडा पोलीस ठाणे", "Yerawada", "येरवडा", 18.5530, 73.8840, True, None),
    ("police_station", "Hadapsar Police Station", "हडपसर पोलीस ठाणे", "Hadapsar", "हडपसर", 18.5020, 73.9300, True, None),
    (
        "police_station",
        "Bharati Vidyapeeth Police Station",
        "भारती विद्यापीठ पोलीस ठाणे",
        "Dhankawadi",
        "धनकवडी",
        18.4570,
        73.8570,
        True,
        None,
    ),
    (
        "police_station",
        "Sinhagad Road Police Station",
        "सिंहगड रस्ता पोलीस ठाणे",
        "Sinhagad Road",
        "सिंहगड रस्ता",
        18.4810,
        73.8270,
        True,
        None,
    ),
    (
        "police_station",
        "Chatushrungi Police Station",
        "चतुःशृंगी पोलीस ठाणे",
        "Senapati Bapat Road",
        "सेनापती बापट रस्ता",
        18.5390,
        73.8290,
        True,
        None,
    ),
    (
        "police_station",
        "Koregaon Park Police Station",
        "कोरेगाव पार्क पोलीस ठाणे",
        "Koregaon Park",
        "कोरेगाव पार्क",
        18.5390,
        73.8930,
        True,
        None,
    ),
    (
        "police_station",
        "Vishrambaug Police Station",
        "विश्रामबाग पोलीस ठाणे",
        "Sadashiv Peth",
        "सदाशिव पेठ",
        18.5130,
        73.8530,
        True,
        None,
    ),
    ("police_station", "Khadak Police Station", "खडक पोलीस ठाणे", "Ganesh Peth", "गणेश पेठ", 18.5130, 73.8610, True, None),
    (
        "police_station",
        "Wanowrie Police Station",
        "वानवडी पोलीस ठाणे",
        "Wanowrie",
        "वानवडी",
        18.4930,
        73.8990,
        True,
        None,
    ),
    ("police_station", "Kondhwa Police Station", "कोंढवा पोलीस ठाणे", "Kondhwa", "कोंढवा", 18.4700, 73.8900, True, None),
    (
        "police_station",
        "Vimantal Police Station",
        "विमानतळ पोलीस ठाणे",
        "Viman Nagar",
        "विमाननगर",
        18.5750,
        73.9100,
        True,
        None,
    ),
    (
        "police_station",
        "Chandannagar Police Station",
        "चंदननगर पोलीस ठाणे",
        "Chandannagar, Nagar Road",
        "चंदननगर, नगर रस्ता",
        18.5630,
        73.9350,
        True,
        None,
    ),
    (
        "police_station",
        "Warje Malwadi Police Station",
        "वारजे माळवाडी पोलीस ठाणे",
        "Warje",
        "वारजे",
        18.4830,
        73.8010,
        True,
        None,
    ),
    (
        "police_station",
        "Alankar Police Station",
        "अलंकार पोलीस ठाणे",
        "Karve Nagar",
        "कर्वेनगर",
        18.5000,
        73.8250,
        True,
        None,
    ),
    (
        "police_station",
        "Dattawadi Police Station",
        "दत्तवाडी पोलीस ठाणे",
        "Dattawadi",
        "दत्तवाडी",
        18.4950,
        73.8400,
        True,
        None,
    ),
    (
        "police_station",
        "Sahakarnagar Police Station",
        "सहकारनगर पोलीस ठाणे",
        "Sahakarnagar",
        "सहकारनगर",
        18.4830,
        73.8500,
        True,
        None,
    ),
    (
        "police_station",
        "Bibwewadi Police Station",
        "बिबवेवाडी पोलीस ठाणे",
        "Bibwewadi",
        "बिबवेवाडी",
        18.4750,
        73.8680,
        True,
        None,
    ),
    (
        "fire_station",
        "Central Fire Station, Bhavani Peth",
        "मध्यवर्ती अग्निशमन केंद्र, भवानी पेठ",
        "Bhavani Peth",
        "भवानी पेठ",
        18.5080,
        73.8660,
        True,
        None,
    ),
    ("fire_station", "Erandwane Fire Station", "एरंडवणे अग्निशमन केंद्र", "Erandwane", "एरंडवणे", 18.5080, 73.8330, True, None),
    ("fire_station", "Kasba Fire Station", "कसबा अग्निशमन केंद्र", "Kasba Peth", "कसबा पेठ", 18.5200, 73.8590, True, None),
    ("fire_station", "Yerawada Fire Station", "येरवडा अग्निशमन केंद्र", "Yerawada", "येरवडा", 18.5530, 73.8860, True, None),
    ("fire_station", "Aundh Fire Station", "औंध अग्निशमन केंद्र", "Aundh", "औंध", 18.5610, 73.8080, True, None),
    ("fire_station", "Kothrud Fire Station", "कोथरूड अग्निशमन केंद्र", "Kothrud", "कोथरूड", 18.5050, 73.8070, True, None),
    ("fire_station", "Hadapsar Fire Station", "हडपसर अग्निशमन केंद्र", "Hadapsar", "हडपसर", 18.5040, 73.9260, True, None),
    ("fire_station", "Katraj Fire Station", "कात्रज अग्निशमन केंद्र", "Katraj", "कात्रज", 18.4500, 73.8590, True, None),
    ("fire_station", "Kondhwa Fire Station", "कोंढवा अग्निशमन केंद्र", "Kondhwa", "कोंढवा", 18.4690, 73.8890, True, None),
    ("fire_station", "Pashan Fire Station", "पाषाण अग्निशमन केंद्र", "Pashan", "पाषाण", 18.5400, 73.7950, True, None),
    (
        "garden",
        "Sarasbaug",
        "सारसबाग",
        "Sarasbaug, near Swargate",
        "सारसबाग, स्वारगेटजवळ",
        18.5009,
        73.8530,
        False,
        "06:00–10:00, 16:00–20:00",
    ),
    (
        "garden",
        "Pu La Deshpande Udyan (Pune–Okayama Friendship Garden)",
        "पु. ल. देशपांडे उद्यान (पुणे–ओकायामा मैत्री उद्यान)",
        "Sinhagad Road",
        "सिंहगड रस्ता",
        18.4900,
        73.8370,
        False,
        "06:00–10:00, 16:00–20:00",
    ),
    (
        "garden",
        "Chhatrapati Sambhaji Udyan",
        "छत्रपती संभाजी उद्यान",
        "Jangli Maharaj Road, Deccan",
        "जंगली महाराज रस्ता, डेक्कन",
        18.5200,
        73.8450,
        False,
        "06:00–10:00, 16:00–20:00",
    ),
    (
        "garden",
        "Kamala Nehru Park",
        "कमला नेहरू पार्क",
        "Erandwane",
        "एरंडवणे",
        18.5150,
        73.8340,
        False,
        "06:00–10:00, 16:00–20:00",
    ),
    (
        "garden",
        "Mahatma Gandhi Udyan (Bund Garden)",
        "महात्मा गांधी उद्यान (बंड गार्डन)",
        "Bund Garden Road",
        "बंड गार्डन रस्ता",
        18.5390,
        73.8800,
        False,
        "06:00–20:00",
    ),
    (
        "garden",
        "Osho Teerth Park (Nala Park)",
        "ओशो तीर्थ पार्क (नाला पार्क)",
        "Koregaon Park",
        "कोरेगाव पार्क",
        18.5380,
        73.8870,
        False,
        "06:00–09:00, 15:00–18:00",
    ),
    (
        "garden",
        "Rajiv Gandhi Zoological Park",
        "राजीव गांधी प्राणिसंग्रहालय",
        "Katraj",
        "कात्रज",
        18.4520,
        73.8640,
        False,
        "Thu–Tue 09:30–18:00",
    ),
    (
        "swimming_pool",
        "Lokmanya Tilak Swimming Tank",
        "लोकमान्य टिळक जलतरण तलाव",
        "Tilak Road",
        "टिळक रस्ता",
        18.5020,
        73.8490,
        False,
        "Tue–Sun 06:00–11:00, 15:00–19:00",
    ),
    (
        "sports_complex",
        "Jawaharlal Nehru Stadium",
        "जवाहरलाल नेहरू स्टेडियम",
        "Swargate",
        "स्वारगेट",
        18.5060,
        73.8580,
        False,
        "06:00–21:00",
    ),
    (
        "sports_complex",
        "Deccan Gymkhana",
        "डेक्कन जिमखाना",
        "Deccan Gymkhana",
        "डेक्कन जिमखाना",
        18.5170,
        73.8400,
        False,
        "06:00–21:00",
    ),
    (
        "library",
        "Pune Nagar Vachan Mandir",
        "पुणे नगर वाचन मंदिर",
        "Laxmi Road, Budhwar Peth",
        "लक्ष्मी रस्ता, बुधवार पेठ",
        18.5150,
        73.8560,
        False,
        "08:00–20:00",
    ),
    (
        "library",
        "Jayakar Library, Savitribai Phule Pune University",
        "जयकर ग्रंथालय, सावित्रीबाई फुले पुणे विद्यापीठ",
        "Ganeshkhind",
        "गणेशखिंड",
        18.5530,
        73.8250,
        False,
        "Mon–Sat 08:00–20:00",
    ),
    (
        "library",
        "Bhandarkar Oriental Research Institute Library",
        "भांडारकर प्राच्यविद्या संशोधन मंदिर ग्रंथालय",
        "Law College Road",
        "लॉ कॉलेज रस्ता",
        18.5150,
        73.8290,
        False,
        "Mon–Sat 09:30–17:30",
    ),
    (
        "school",
        "Nutan Marathi Vidyalaya",
        "नूतन मराठी विद्यालय",
        "Sadashiv Peth",
        "सदाशिव पेठ",
        18.5115,
        73.8530,
        False,
        "Mon–Sat 07:30–17:30",
    ),
    (
        "school",
        "New English School, Ramanbaug",
        "न्यू इंग्लिश स्कूल, रमणबाग",
        "Shaniwar Peth",
        "शनिवार पेठ",
        18.5140,
        73.8500,
        False,
        "Mon–Sat 07:30–17:30",
    ),
    (
        "school",
        "Huzurpaga (HHCP High School)",
        "हुजूरपागा (एचएचसीपी हायस्कूल)",
        "Laxmi Road",
        "लक्ष्मी रस्ता",
        18.5130,
        73.8520,
        False,
        "Mon–Sat 07:30–17:30",
    ),
    (
        "school",
        "Modern High School, Shivajinagar",
        "मॉडर्न हायस्कूल, शिवाजीनगर",
        "Shivajinagar",
        "शिवाजीनगर",
        18.5290,
        73.8460,
        False,
        "Mon–Sat 07:30–17:30",
    ),
    (
        "school",
        "Abhinava Vidyalaya",
        "अभिनव विद्यालय",
        "Erandwane",
        "एरंडवणे",
        18.5100,
        73.8340,
        False,
        "Mon–Sat 07:30–17:30",
    ),
    ("crematorium", "Vaikunth Smashanbhoomi", "वैकुंठ स्मशानभूमी", "Navi Peth", "नवी पेठ", 18.5070, 73.8420, True, None),
    (
        "crematorium",
        "Yerawada Smashanbhoomi",
        "येरवडा स्मशानभूमी",
        "Yerawada",
        "येरवडा",
        18.5480,
        73.8800,
        False,
        "05:00–23:00",
    ),
    (
        "vegetable_market",
        "Mahatma Phule Mandai",
        "महात्मा फुले मंडई",
        "Shukrawar Peth",
        "शुक्रवार पेठ",
        18.5140,
        73.8560,
        False,
        "06:00–21:00",
    ),
    (
        "vegetable_market",
        "Chhatrapati Shivaji Market Yard",
        "छत्रपती शिवाजी मार्केट यार्ड",
        "Gultekdi",
        "गुलटेकडी",
        18.4880,
        73.8690,
        False,
        "05:00–20:00",
    ),
]


def hours(en):
    if en is None:
        return None
    mr = en
    for k, v in {
        "Mon": "सोम",
        "Tue": "मंगळ",
        "Wed": "बुध",
        "Thu": "गुरु",
        "Fri": "शुक्र",
        "Sat": "शनि",
        "Sun": "रवि",
    }.items():
        mr = mr.replace(k, v)
    return bi(en, mr_digits(mr))


def row(category, name, address, ward, lat, lng, open_24x7, hrs, sample):
    return {
        "id": stable_id("FAC", f"{category}|{name['en']}"),
        "category": category,
        "name": name,
        "address": address,
        "ward": ward,
        "lat": lat,
        "lng": lng,
        "phone": None,
        "hours": hours(hrs),
        "open_24x7": open_24x7,
        "website": None,
        "sample": sample,
    }


def real_rows():
    out = []
    for cat, n_en, n_mr, a_en, a_mr, lat, lng, o247, hrs in REAL:
        wards = wards_containing(SHAPES, lat, lng)
        if len(wards) != 1:
            raise SystemExit(f"{n_en}: point in {wards} (outside the 2017 PMC wards?)")
        out.append(row(cat, bi(n_en, n_mr), bi(f"{a_en}, Pune", f"{a_mr}, पुणे"), wards[0], lat, lng, o247, hrs, False))
    return out


def inside(ward, lat, lng):
    return GEOM[ward].contains(Point(lng, lat).buffer(MARGIN))


def sample_point(rng, ward, centre):
    for spread in (0.006, 0.012):
        for _ in range(200):
            lat = round(centre[0] + rng.uniform(-spread, spread), 6)
            lng = round(centre[1] + rng.uniform(-spread, spread), 6)
            if inside(ward, lat, lng):
                return lat, lng
    g = GEOM[ward]
    minx, miny, maxx, maxy = g.bounds
    while True:
        lat, lng = round(rng.uniform(miny, maxy), 6), round(rng.uniform(minx, maxx), 6)
        if inside(ward, lat, lng):
            return lat, lng


def generated_rows():
    rng = random.Random(SEED)
    locs = {w: [l for l in LOCALITIES if wards_containing(SHAPES, l[2], l[3]) == [w]] for w, _, _ in WARDS}
    out, turn = [], dict.fromkeys(locs, 0)
    for cat, (c_en, c_mr, hrs) in CATEGORY.items():
        for ward, w_en, w_mr in WARDS:
            n = 1 + EXTRA_PER_WARD.get(cat, 0)
            for k in range(n):
                loc_en, loc_mr, clat, clng = locs[ward][turn[ward] % len(locs[ward])]
                turn[ward] += 1
                lat, lng = sample_point(rng, ward, (clat, clng))
                no = f" {k + 1}" if n > 1 else ""
                name = bi(f"{c_en}{no}, {loc_en} (sample)", f"{c_mr}{mr_digits(no)}, {loc_mr} (नमुना)")
                address = bi(f"{loc_en}, {w_en} ward, Pune (sample address)", f"{loc_mr}, {w_mr} क्षेत्र, पुणे (नमुना पत्ता)")
                out.append(row(cat, name, address, ward, lat, lng, hrs is None, hrs, True))
    return out


def main():
    rows = real_rows() + generated_rows()
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "duplicate facility id"
    rows.sort(key=lambda r: r["id"])
    dump(DATA / "facilities.json", rows)
    print("facilities", len(rows), "real", sum(not r["sample"] for r in rows))


if __name__ == "__main__":
    main()
