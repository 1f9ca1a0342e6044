"""Generate data/properties.json, data/property_register.json (their ids and wards) and data/water_connections.json: sample property-tax demands and water
bills (API.md 4.2–4.4) for the 15 wards over FY 2024-25, 2025-26 and 2026-27, as on DATA_AS_OF.

Every record is invented (`"sample": true`): owners, ids and amounts are not PMC's. The demo records that
API.md names are written exactly as it states them. Deterministic (fixed seed): check_data.py fails when
a file differs from what this script writes.

python data/tools/make_payments.py
"""

from __future__ import annotations

import random
from datetime import date

from _common import DATA, dump

SEED = 20260401
DATA_AS_OF = date(2026, 11, 29)  # counter payments happen before this day; bills are issued by it
YEARS = ("2024-25", "2025-26", "2026-27")
PER_WARD = 14  # 15 × 14 = 210 of each, the demo records included

# Localities of each ward office (API.md 1.3), by today's office areas; names as in _common.LOCALITIES.
WARD_LOCALITIES = {
    "W01": [("Aundh", "औंध"), ("Baner", "बाणेर"), ("Pashan", "पाषाण"), ("Balewadi", "बालेवाडी"), ("Bopodi", "बोपोडी")],
    "W02": [
        ("Bhavani Peth", "भवानी पेठ"),
        ("Ganj Peth", "गंज पेठ"),
        ("Nana Peth", "नाना पेठ"),
        ("Guruwar Peth", "गुरुवार पेठ"),
    ],
    "W03": [
        ("Bibwewadi", "बिबवेवाडी"),
        ("Market Yard", "मार्केट यार्ड"),
        ("Upper Indiranagar", "अप्पर इंदिरानगर"),
        ("Gangadham", "गंगाधाम"),
    ],
    "W04": [
        ("Sahakarnagar", "सहकारनगर"),
        ("Padmavati", "पद्मावती"),
        ("Dhankawadi", "धनकवडी"),
        ("Balajinagar", "बालाजीनगर"),
        ("Parvati", "पर्वती"),
    ],
    "W05": [("Koregaon Park", "कोरेगाव पार्क"), ("Sangamwadi", "संगमवाडी"), ("Ghorpadi", "घोरपडी")],
    "W06": [
        ("Hadapsar", "हडपसर"),
        ("Mundhwa", "मुंढवा"),
        ("Magarpatta", "मगरपट्टा"),
        ("Sadesatra Nali", "साडेसतरानळी"),
        ("Gadital", "गाडीतळ"),
    ],
    "W07": [
        ("Kasba Peth", "कसबा पेठ"),
        ("Shaniwar Peth", "शनिवार पेठ"),
        ("Sadashiv Peth", "सदाशिव पेठ"),
        ("Narayan Peth", "नारायण पेठ"),
    ],
    "W08": [
        ("Kondhwa Khurd", "कोंढवा खुर्द"),
        ("NIBM Road", "एनआयबीएम रस्ता"),
        ("Katraj", "कात्रज"),
        ("Santosh Nagar", "संतोषनगर"),
    ],
    "W09": [
        ("Kothrud", "कोथरूड"),
        ("Bavdhan", "बावधन"),
        ("Mayur Colony", "मयूर कॉलनी"),
        ("Paud Road", "पौड रस्ता"),
        ("Erandwane", "एरंडवणे"),
    ],
    "W10": [
        ("Kharadi", "खराडी"),
        ("Viman Nagar", "विमाननगर"),
        ("Wadgaon Sheri", "वडगाव शेरी"),
        ("Chandannagar", "चंदननगर"),
        ("Kalyani Nagar", "कल्याणीनगर"),
    ],
    "W11": [
        ("Shivajinagar", "शिवाजीनगर"),
        ("Deccan Gymkhana", "डेक्कन जिमखाना"),
        ("Model Colony", "मॉडेल कॉलनी"),
        ("Gokhalenagar", "गोखलेनगर"),
        ("Senapati Bapat Road", "सेनापती बापट रस्ता"),
    ],
    "W12": [
        ("Vadgaon Budruk", "वडगाव बुद्रुक"),
        ("Dhayari", "धायरी"),
        ("Anand Nagar", "आनंदनगर"),
        ("Dattawadi", "दत्तवाडी"),
        ("Hingne Khurd", "हिंगणे खुर्द"),
    ],
    "W13": [("Wanowrie", "वानवडी"), ("Ramtekdi", "रामटेकडी"), ("Salunke Vihar", "साळुंके विहार")],
    "W14": [("Warje", "वारजे"), ("Karve Nagar", "कर्वेनगर"), ("Ramnagar", "रामनगर")],
    "W15": [
        ("Yerawada", "येरवडा"),
        ("Kalas", "कळस"),
        ("Dhanori", "धानोरी"),
        ("Vishrantwadi", "विश्रांतवाडी"),
        ("Lohegaon", "लोहगाव"),
        ("Tingre Nagar", "टिंगरेनगर"),
    ],
}
FIRST_NAMES = [
    "Anil",
    "Anita",
    "Ashok",
    "Deepa",
    "Ganesh",
    "Geeta",
    "Kavita",
    "Mahesh",
    "Manisha",
    "Meena",
    "Nilesh",
    "Pooja",
    "Prakash",
    "Pravin",
    "Rahul",
    "Rajesh",
    "Rekha",
    "Sachin",
    "Sandeep",
    "Sanjay",
    "Shubhangi",
    "Smita",
    "Sunil",
    "Swati",
    "Tushar",
    "Ujwala",
    "Vaishali",
    "Vijay",
    "Vinod",
    "Yogesh",
]
SURNAMES = [
    "Bhosale",
    "Chavan",
    "Deshmukh",
    "Gaikwad",
    "Gokhale",
    "Jadhav",
    "Joshi",
    "Kale",
    "Kamble",
    "Kulkarni",
    "Mane",
    "More",
    "Patil",
    "Pawar",
    "Phadke",
    "Salunkhe",
    "Shinde",
    "Shirke",
    "Sawant",
    "Thorat",
    "Wagh",
]
# Demo records of API.md 4.2–4.4 and the README walk-through, exactly as stated there.
DEMO_PROPERTIES = [
    {
        "property_id": "PMC-W07-000001",
        "ward": "W07",
        "owner_name": "Ramesh Kulkarni",
        "locality": {"en": "Kasba Peth", "mr": "कसबा पेठ"},
        "sample": True,
        "demands": [
            {"id": f"2026-27-{h}", "principal_paise": 624000, "general_tax_paise": 400000, "paid_principal_paise": 0}
            for h in ("H1", "H2")
        ],
    },
    {
        "property_id": "PMC-W03-000042",
        "ward": "W03",
        "owner_name": "Sunita Deshpande",
        "locality": {"en": "Bibwewadi", "mr": "बिबवेवाडी"},
        "sample": True,
        "demands": [
            {"id": f"{fy}-{h}", "principal_paise": p, "general_tax_paise": g, "paid_principal_paise": p}
            for fy, p, g in (("2024-25", 412000, 265000), ("2025-26", 431000, 277000), ("2026-27", 452000, 290000))
            for h in ("H1", "H2")
        ],
    },
]
DEMO_CONNECTIONS = [
    {
        "consumer_no": "WC-1000001",
        "ward": "W07",
        "owner_name": "Ramesh Kulkarni",
        "connection_type": "domestic",
        "locality": {"en": "Kasba Peth", "mr": "कसबा पेठ"},
        "sample": True,
        "bills": [{"id": "2026-27-Q1", "consumption_kl": 42, "amount_paise": 84250, "paid_paise": 0}],
    }
]
# Sample tariff per quarter: meter rent Rs 2.50 + Rs 20/kl domestic, Rs 50/kl non-domestic; unmetered flat.
METER_RENT_PAISE = 250
RATE_PAISE_PER_KL = {"domestic": 2000, "non_domestic": 5000}
UNMETERED_PAISE = {"domestic": 60000, "non_domestic": 240000}
# Due dates (API.md 4.2): H1 30 June, H2 31 December; a quarter's bill is due at the end of the month after it.
INSTALLMENT_DUE = {"H1": (6, 30), "H2": (12, 31)}
QUARTER_ISSUED = {"Q1": (0, 7), "Q2": (0, 10), "Q3": (1, 1), "Q4": (1, 4)}  # (years after the FY's first, month)


def _state(rng: random.Random, overdue: bool) -> str:
    """Overdue lines: mostly paid, some partly paid at a counter, some unpaid; lines not yet due: fewer paid."""
    roll = rng.random()
    if overdue:
        return "paid" if roll < 0.65 else "partly_paid" if roll < 0.8 else "unpaid"
    return "paid" if roll < 0.35 else "partly_paid" if roll < 0.45 else "unpaid"


def _paid(rng: random.Random, amount: int, state: str) -> int:
    if state == "paid":
        return amount
    if state == "partly_paid":
        return max(100, amount * rng.randint(20, 80) // 100 // 100 * 100)  # whole rupees at the counter
    return 0


def _owner(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def properties(rng: random.Random) -> list[dict]:
    rows = list(DEMO_PROPERTIES)
    taken = {r["property_id"] for r in rows}
    for ward, localities in WARD_LOCALITIES.items():
        while sum(r["ward"] == ward for r in rows) < PER_WARD:
            property_id = f"PMC-{ward}-{rng.randint(2, 999999):06d}"
            if property_id in taken:
                continue
            taken.add(property_id)
            en, mr = rng.choice(localities)
            first_year = rng.choice((0, 0, 0, 0, 1, 2))  # most assessed before 2024-25, some newly
            principal = rng.randint(1500, 40000) * 100  # per installment, whole rupees
            general_share = rng.randint(55, 70)
            demands = []
            for n, fy in enumerate(YEARS[first_year:], start=first_year):
                yearly = principal * (100 + 4 * n) // 100 // 100 * 100  # revisions of about 4 % a year
                for installment, (month, day) in INSTALLMENT_DUE.items():
                    due_on = date(int(fy[:4]), month, day)
                    paid = _paid(rng, yearly, _state(rng, due_on < DATA_AS_OF))
                    demands.append(
                        {
                            "id": f"{fy}-{installment}",
                            "principal_paise": yearly,
                            "general_tax_paise": yearly * general_share // 100,
                            "paid_principal_paise": paid,
                        }
                    )
            rows.append(
                {
                    "property_id": property_id,
                    "ward": ward,
                    "owner_name": _owner(rng),
                    "locality": {"en": en, "mr": mr},
                    "sample": True,
                    "demands": demands,
                }
            )
    return sorted(rows, key=lambda r: r["property_id"])


def _issued(fy: str, quarter: str) -> date:
    years, month = QUARTER_ISSUED[quarter]
    return date(int(fy[:4]) + years, month, 1)


def water_connections(rng: random.Random) -> list[dict]:
    rows = list(DEMO_CONNECTIONS)
    numbers = sorted(rng.sample(range(1000002, 1999999), PER_WARD * 15 - len(rows)))
    slots = [ward for ward in WARD_LOCALITIES for _ in range(PER_WARD - sum(r["ward"] == ward for r in rows))]
    rng.shuffle(slots)
    for number, ward in zip(numbers, slots, strict=True):
        en, mr = rng.choice(WARD_LOCALITIES[ward])
        kind = "domestic" if rng.random() < 0.85 else "non_domestic"
        metered = rng.random() < 0.9
        usual_kl = rng.randint(15, 90) if kind == "domestic" else rng.randint(60, 400)
        first_year = rng.choice((0, 0, 0, 0, 1, 2))
        bills = []
        for fy in YEARS[first_year:]:
            for quarter in ("Q1", "Q2", "Q3", "Q4"):
                issued_on = _issued(fy, quarter)
                if issued_on > DATA_AS_OF:
                    continue
                kl = max(0, usual_kl + rng.randint(-10, 10)) if metered else None
                amount = METER_RENT_PAISE + RATE_PAISE_PER_KL[kind] * kl if kl is not None else UNMETERED_PAISE[kind]
                due_on = date(issued_on.year + issued_on.month // 12, issued_on.month % 12 + 1, 1)  # day after due
                paid = _paid(rng, amount, _state(rng, due_on <= DATA_AS_OF))
                bills.append(
                    {"id": f"{fy}-{quarter}", "consumption_kl": kl, "amount_paise": amount, "paid_paise": paid}
                )
        rows.append(
            {
                "consumer_no": f"WC-{number}",
                "ward": ward,
                "owner_name": _owner(rng),
                "connection_type": kind,
                "locality": {"en": en, "mr": mr},
                "sample": True,
                "bills": bills,
            }
        )
    return sorted(rows, key=lambda r: r["consumer_no"])


def register(rows: list[dict]) -> list[dict]:
    """The property register other services may ship (the grievance service checks an Open311 `address_id`
    against it): ids and wards only, no owner or demand, so no personal data leaves the payments service."""
    return [{"property_id": r["property_id"], "ward": r["ward"]} for r in rows]


def build() -> dict[str, list[dict]]:
    rng = random.Random(SEED)
    props = properties(rng)
    return {
        "properties.json": props,
        "property_register.json": register(props),
        "water_connections.json": water_connections(rng),
    }


if __name__ == "__main__":
    for name, rows in build().items():
        dump(DATA / name, rows)
        print(f"wrote {name}: {len(rows)} records")
