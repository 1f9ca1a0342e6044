"""Generate data/city_updates.json: a few sample city updates (API.md 2.4) for the local stack, in English and
Marathi, every one marked `"sample": true` and "(sample)" / "(नमुना)" in its title: none is a PMC announcement.

Dates are relative, so the updates are current on any fresh `make run`: the seed (functions/lookup/lookup/seed.py)
takes the load time floored to the hour as the anchor, and starts_at = anchor + starts_offset_hours, ends_at =
starts_at + duration_hours, created_at = updated_at = anchor + created_offset_hours. A ward comes from where the
place lies in data/wards.geojson, never typed in. Deterministic: check_data.py fails when the file differs.

python data/tools/make_city_updates.py
"""

from __future__ import annotations

from _common import DATA, LOCALITIES, bi, dump, stable_id, ward_shapes, wards_containing

PLACES = {name: (lat, lng) for name, _, lat, lng in LOCALITIES}

# (key, category, place or None for city-wide, starts, duration, created offsets in hours, title en/mr, body en/mr)
UPDATES = [
    (
        "kasba-peth-water-cut",
        "water_cut",
        "Kasba Peth",
        -2,
        20,
        -26,
        ("No water supply in Kasba Peth today (sample)", "कसबा पेठेत आज पाणीपुरवठा बंद (नमुना)"),
        (
            "Repairs to the main pipeline near Kasba Ganpati; supply resumes this evening at low pressure. "
            "Tankers on request at the ward office.",
            "कसबा गणपतीजवळील मुख्य जलवाहिनीची दुरुस्ती; आज सायंकाळी कमी दाबाने पाणीपुरवठा सुरू होईल. "
            "टँकरसाठी क्षेत्रीय कार्यालयाशी संपर्क साधा.",
        ),
    ),
    (
        "ganeshotsav-procession-laxmi-road",
        "road_closure",
        "Narayan Peth",
        -4,
        40,
        -52,
        (
            "Laxmi Road closed for the Ganeshotsav procession (sample)",
            "गणेशोत्सव मिरवणुकीसाठी लक्ष्मी रस्ता बंद (नमुना)",
        ),
        (
            "Laxmi Road and Kumthekar Road are closed to vehicles from Belbaug Chowk to Tilak Chowk while the "
            "procession passes. Use Bajirao Road and Shivaji Road; PMPML buses are diverted.",
            "मिरवणूक जाईपर्यंत बेलबाग चौक ते टिळक चौक या दरम्यान लक्ष्मी रस्ता व कुमठेकर रस्ता वाहनांसाठी बंद "
            "राहील. बाजीराव रस्ता व शिवाजी रस्त्याचा वापर करा; पीएमपीएमएल बस मार्ग बदलले आहेत.",
        ),
    ),
    (
        "measles-rubella-vaccination-drive",
        "health_drive",
        None,
        -24,
        14 * 24,
        -72,
        ("Measles-rubella vaccination drive (sample)", "गोवर-रुबेला लसीकरण मोहीम (नमुना)"),
        (
            "Free measles-rubella vaccination for children aged 9 months to 15 years at every PMC dispensary "
            "and maternity home, 9:00 to 16:00. Bring the child's vaccination card.",
            "९ महिने ते १५ वर्षे वयोगटातील मुलांसाठी महापालिकेच्या सर्व दवाखाने व प्रसूतिगृहांत सकाळी ९ ते "
            "दुपारी ४ या वेळेत मोफत गोवर-रुबेला लसीकरण. मुलाचे लसीकरण कार्ड सोबत आणा.",
        ),
    ),
    (
        "kothrud-water-cut-scheduled",
        "water_cut",
        "Kothrud",
        48,
        12,
        -1,
        ("Water supply off in Kothrud for valve work (sample)", "झडप दुरुस्तीसाठी कोथरूडमध्ये पाणीपुरवठा बंद (नमुना)"),
        (
            "Valve replacement at the Warje water works: no supply in Kothrud for twelve hours; store water "
            "the evening before.",
            "वारजे जलकेंद्रातील झडप बदलण्याचे काम: कोथरूडमध्ये बारा तास पाणीपुरवठा बंद; आदल्या दिवशी सायंकाळी पाणी साठवून ठेवा.",
        ),
    ),
]


def build() -> list[dict]:
    shapes = ward_shapes()
    rows = []
    for key, category, place, starts, duration, created, (title_en, title_mr), (body_en, body_mr) in UPDATES:
        ward = None
        if place is not None:
            (ward,) = wards_containing(shapes, *PLACES[place])
        rows.append(
            {
                "id": stable_id("UPD", key),
                "category": category,
                "ward": ward,
                "title": bi(title_en, title_mr),
                "body": bi(body_en, body_mr),
                "starts_offset_hours": starts,
                "duration_hours": duration,
                "created_offset_hours": created,
                "sample": True,
            }
        )
    return rows


if __name__ == "__main__":
    rows = build()
    dump(DATA / "city_updates.json", rows)
    print(f"wrote city_updates.json: {len(rows)} updates")
