"""Shared helpers for the data/ generator scripts (deterministic output)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PUNE_BOX = {"lat": (18.35, 18.70), "lng": (73.65, 74.10)}

WARDS = [  # project numbering, API.md 1.3
    ("W01", "Aundh–Baner", "औंध–बाणेर"),
    ("W02", "Bhavani Peth", "भवानी पेठ"),
    ("W03", "Bibwewadi", "बिबवेवाडी"),
    ("W04", "Dhankawadi–Sahakarnagar", "धनकवडी–सहकारनगर"),
    ("W05", "Dhole Patil Road", "ढोले पाटील रस्ता"),
    ("W06", "Hadapsar–Mundhwa", "हडपसर–मुंढवा"),
    ("W07", "Kasba–Vishrambaug Wada", "कसबा–विश्रामबागवाडा"),
    ("W08", "Kondhwa–Yewalewadi", "कोंढवा–येवलेवाडी"),
    ("W09", "Kothrud–Bawdhan", "कोथरूड–बावधन"),
    ("W10", "Nagar Road–Wadgaon Sheri", "नगर रस्ता–वडगाव शेरी"),
    ("W11", "Shivajinagar–Ghole Road", "शिवाजीनगर–घोले रस्ता"),
    ("W12", "Sinhagad Road", "सिंहगड रस्ता"),
    ("W13", "Wanowrie–Ramtekdi", "वानवडी–रामटेकडी"),
    ("W14", "Warje–Karve Nagar", "वारजे–कर्वेनगर"),
    ("W15", "Yerawada–Kalas–Dhanori", "येरवडा–कळस–धानोरी"),
]
WARD_NAMES = {w: (en, mr) for w, en, mr in WARDS}

_DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def mr_digits(text: str) -> str:
    """Western digits -> Devanagari digits (for Marathi hours/labels)."""
    return text.translate(_DEVANAGARI)


def stable_id(prefix: str, key: str) -> str:
    """PREFIX- + 8 Crockford base32 chars derived from a stable key (sha256)."""
    n = int.from_bytes(hashlib.sha256(f"{prefix}|{key}".encode()).digest()[:5], "big")
    chars = []
    for _ in range(8):
        chars.append(CROCKFORD[n & 31])
        n >>= 5
    return f"{prefix}-{''.join(reversed(chars))}"


def bi(en: str, mr: str) -> dict:
    return {"en": en, "mr": mr}


def dump(path: Path, obj) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")


def load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def ward_shapes():
    """[(ward, shapely geometry)] from data/wards.geojson."""
    from shapely.geometry import shape
    from shapely.prepared import prep

    fc = load("wards.geojson")
    return [(f["properties"]["ward"], prep(shape(f["geometry"])), shape(f["geometry"])) for f in fc["features"]]


def wards_containing(shapes, lat: float, lng: float) -> list[str]:
    from shapely.geometry import Point

    p = Point(lng, lat)
    return [w for w, pg, _ in shapes if pg.contains(p)]


def dump_geojson(path: Path, obj) -> None:
    """Pretty JSON (2-space indent) with each [lng, lat] pair kept on one line."""
    import re

    text = json.dumps(obj, ensure_ascii=False, indent=2)
    text = re.sub(r"\[\n\s+(-?[0-9.]+),\n\s+(-?[0-9.]+)\n\s+\]", r"[\1, \2]", text)
    path.write_text(text + "\n", encoding="utf-8")


# Localities used to name generated (sample) points and place CFCs. Coordinates are
# approximate locality centres (general knowledge, not surveyed); the ward of each point
# is always computed from data/wards.geojson, never taken from this table.
LOCALITIES = [
    ("Aundh", "औंध", 18.5590, 73.8080),
    ("Baner", "बाणेर", 18.5600, 73.7890),
    ("Pashan", "पाषाण", 18.5390, 73.7960),
    ("Balewadi", "बालेवाडी", 18.5720, 73.7760),
    ("Sus Road", "सूस रस्ता", 18.5480, 73.7890),
    ("Bopodi", "बोपोडी", 18.5710, 73.8330),
    ("Bhavani Peth", "भवानी पेठ", 18.5060, 73.8690),
    ("Ganj Peth", "गंज पेठ", 18.5050, 73.8640),
    ("Nana Peth", "नाना पेठ", 18.5110, 73.8680),
    ("Guruwar Peth", "गुरुवार पेठ", 18.5060, 73.8600),
    ("Bibwewadi", "बिबवेवाडी", 18.4770, 73.8660),
    ("Market Yard", "मार्केट यार्ड", 18.4880, 73.8700),
    ("Gangadham", "गंगाधाम", 18.4740, 73.8780),
    ("Upper Indiranagar", "अप्पर इंदिरानगर", 18.4690, 73.8640),
    ("Sahakarnagar", "सहकारनगर", 18.4870, 73.8530),
    ("Parvati", "पर्वती", 18.4960, 73.8490),
    ("Padmavati", "पद्मावती", 18.4800, 73.8560),
    ("Balajinagar", "बालाजीनगर", 18.4680, 73.8560),
    ("Koregaon Park", "कोरेगाव पार्क", 18.5370, 73.8930),
    ("Mundhwa", "मुंढवा", 18.5320, 73.9300),
    ("Kalyani Nagar", "कल्याणीनगर", 18.5470, 73.9020),
    ("Ghorpadi", "घोरपडी", 18.5230, 73.9060),
    ("Sangamwadi", "संगमवाडी", 18.5400, 73.8690),
    ("Hadapsar", "हडपसर", 18.5030, 73.9280),
    ("Magarpatta", "मगरपट्टा", 18.5150, 73.9280),
    ("Sadesatra Nali", "साडेसतरानळी", 18.5000, 73.9450),
    ("Gadital", "गाडीतळ", 18.4990, 73.9330),
    ("Kasba Peth", "कसबा पेठ", 18.5210, 73.8590),
    ("Shaniwar Peth", "शनिवार पेठ", 18.5190, 73.8540),
    ("Sadashiv Peth", "सदाशिव पेठ", 18.5110, 73.8480),
    ("Narayan Peth", "नारायण पेठ", 18.5160, 73.8500),
    ("Dhankawadi", "धनकवडी", 18.4590, 73.8510),
    ("Katraj", "कात्रज", 18.4490, 73.8590),
    ("Ambegaon Pathar", "आंबेगाव पठार", 18.4540, 73.8420),
    ("Santosh Nagar", "संतोषनगर", 18.4440, 73.8660),
    ("Kothrud", "कोथरूड", 18.5070, 73.8070),
    ("Bavdhan", "बावधन", 18.5150, 73.7800),
    ("Mayur Colony", "मयूर कॉलनी", 18.5070, 73.8190),
    ("Erandwane", "एरंडवणे", 18.5090, 73.8310),
    ("Paud Road", "पौड रस्ता", 18.5100, 73.8120),
    ("Kharadi", "खराडी", 18.5520, 73.9400),
    ("Viman Nagar", "विमाननगर", 18.5670, 73.9140),
    ("Wadgaon Sheri", "वडगाव शेरी", 18.5540, 73.9240),
    ("Chandannagar", "चंदननगर", 18.5620, 73.9350),
    ("Ramwadi", "रामवाडी", 18.5550, 73.9120),
    ("Shivajinagar", "शिवाजीनगर", 18.5310, 73.8470),
    ("Deccan Gymkhana", "डेक्कन जिमखाना", 18.5170, 73.8410),
    ("Model Colony", "मॉडेल कॉलनी", 18.5300, 73.8370),
    ("Gokhalenagar", "गोखलेनगर", 18.5290, 73.8290),
    ("Senapati Bapat Road", "सेनापती बापट रस्ता", 18.5290, 73.8300),
    ("Vadgaon Budruk", "वडगाव बुद्रुक", 18.4670, 73.8210),
    ("Hingne Khurd", "हिंगणे खुर्द", 18.4850, 73.8200),
    ("Dhayari", "धायरी", 18.4560, 73.8140),
    ("Anand Nagar", "आनंदनगर", 18.4810, 73.8260),
    ("Dattawadi", "दत्तवाडी", 18.4950, 73.8410),
    ("Wanowrie", "वानवडी", 18.4900, 73.8990),
    ("Kondhwa Khurd", "कोंढवा खुर्द", 18.4700, 73.8920),
    ("Salunke Vihar", "साळुंके विहार", 18.4850, 73.9050),
    ("NIBM Road", "एनआयबीएम रस्ता", 18.4720, 73.9060),
    ("Ramtekdi", "रामटेकडी", 18.5010, 73.9170),
    ("Warje", "वारजे", 18.4820, 73.8000),
    ("Karve Nagar", "कर्वेनगर", 18.4900, 73.8190),
    ("Shivane", "शिवणे", 18.4640, 73.7860),
    ("Ramnagar", "रामनगर", 18.4800, 73.7920),
    ("Yerawada", "येरवडा", 18.5530, 73.8880),
    ("Kalas", "कळस", 18.5830, 73.8760),
    ("Dhanori", "धानोरी", 18.5900, 73.9000),
    ("Vishrantwadi", "विश्रांतवाडी", 18.5740, 73.8790),
    ("Lohegaon", "लोहगाव", 18.5960, 73.9240),
    ("Tingre Nagar", "टिंगरेनगर", 18.5780, 73.8950),
]
