"""Generate data/surveys.json: PMC's city perception survey (open, 15 questions over cleanliness, water
supply, roads, safety, public transport, parks, grievance handling and overall satisfaction, English and
Marathi, some questions for citizens only and some for tourists only), and a closed Ganeshotsav feedback
survey with 48 seeded responses, so results and the CSV export show something on a fresh `make run`.

Sample data (`"sample": true`): questions written for this project, responses invented. Deterministic
(fixed seed): check_data.py fails when the file differs from what this script writes.

python data/tools/make_survey.py
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from _common import CROCKFORD, DATA, bi, dump, stable_id

SEED = 20261125
NAME = "surveys.json"
CLOSED_RESPONSES = 48


def question(qid, qtype, audience, required, en, mr, options=(), lo=None, hi=None):
    return {
        "id": qid,
        "type": qtype,
        "audience": audience,
        "required": required,
        "min": lo,
        "max": hi,
        "options": [{"id": oid, "text": bi(oen, omr)} for oid, oen, omr in options],
        "text": bi(en, mr),
    }


def rating(qid, audience, required, en, mr):
    return question(qid, "rating", audience, required, en, mr, lo=1, hi=5)


CITY_QUESTIONS = [
    rating(
        "q_clean_streets", "all", True, "How clean are the streets in your area?", "आपल्या परिसरातील रस्ते किती स्वच्छ आहेत?"
    ),
    question(
        "q_waste_collection",
        "single_choice",
        "citizen",
        False,
        "How often is garbage collected from your home?",
        "आपल्या घरातून कचरा किती वेळा गोळा केला जातो?",
        [
            ("daily", "Every day", "दररोज"),
            ("alternate_days", "Every other day", "एक दिवसाआड"),
            ("weekly", "Once a week", "आठवड्यातून एकदा"),
            ("irregular", "Irregularly", "अनियमितपणे"),
        ],
    ),
    rating(
        "q_water_supply",
        "citizen",
        True,
        "How satisfied are you with the water supply at your home?",
        "आपल्या घरातील पाणीपुरवठ्याबद्दल आपण किती समाधानी आहात?",
    ),
    question(
        "q_water_hours",
        "single_choice",
        "citizen",
        False,
        "For how many hours a day do you get water?",
        "आपल्याला दररोज किती तास पाणी मिळते?",
        [
            ("under_1h", "Less than 1 hour", "१ तासापेक्षा कमी"),
            ("h1_2", "1 to 2 hours", "१ ते २ तास"),
            ("h2_4", "2 to 4 hours", "२ ते ४ तास"),
            ("round_the_clock", "Round the clock", "२४ तास"),
        ],
    ),
    rating(
        "q_roads",
        "all",
        True,
        "How would you rate the condition of roads and footpaths?",
        "रस्ते आणि पदपथांच्या स्थितीला आपण किती गुण द्याल?",
    ),
    question(
        "q_road_problems",
        "multi_choice",
        "all",
        False,
        "Which road problems have you faced in the last month?",
        "गेल्या महिन्यात आपल्याला रस्त्यांच्या कोणत्या समस्या जाणवल्या?",
        [
            ("potholes", "Potholes", "खड्डे"),
            ("waterlogging", "Waterlogging", "पाणी साचणे"),
            ("encroached_footpaths", "Encroached footpaths", "अतिक्रमित पदपथ"),
            ("dark_streetlights", "Streetlights not working", "बंद पथदिवे"),
            ("traffic_jams", "Traffic jams", "वाहतूक कोंडी"),
        ],
        lo=1,
        hi=3,
    ),
    rating(
        "q_safety_night",
        "all",
        False,
        "How safe do you feel walking in the city after dark?",
        "अंधार पडल्यानंतर शहरात चालताना आपल्याला किती सुरक्षित वाटते?",
    ),
    question(
        "q_transport_used",
        "multi_choice",
        "tourist",
        False,
        "Which transport did you use in Pune?",
        "पुण्यात आपण कोणती वाहतूक वापरली?",
        [
            ("metro", "Pune Metro", "पुणे मेट्रो"),
            ("pmpml_bus", "PMPML bus", "पीएमपीएमएल बस"),
            ("auto_rickshaw", "Auto rickshaw", "रिक्षा"),
            ("app_cab", "App cab", "ॲप कॅब"),
        ],
        lo=1,
        hi=4,
    ),
    rating(
        "q_public_transport",
        "all",
        False,
        "How satisfied are you with public transport (PMPML buses, Metro)?",
        "सार्वजनिक वाहतुकीबद्दल (पीएमपीएमएल बस, मेट्रो) आपण किती समाधानी आहात?",
    ),
    rating(
        "q_parks",
        "all",
        False,
        "How well kept are the city's parks and gardens?",
        "शहरातील उद्याने व बागा किती चांगल्या राखल्या जातात?",
    ),
    question(
        "q_grievance_handling",
        "single_choice",
        "citizen",
        False,
        "If you raised a complaint with PMC this year, how was it handled?",
        "या वर्षी आपण महापालिकेकडे तक्रार केली असल्यास ती कशी हाताळली गेली?",
        [
            ("resolved_on_time", "Resolved on time", "वेळेत सोडवली"),
            ("resolved_late", "Resolved, but late", "उशिरा सोडवली"),
            ("not_resolved", "Not resolved", "सोडवली नाही"),
            ("none_raised", "I raised no complaint", "तक्रार केली नाही"),
        ],
    ),
    rating(
        "q_tourist_signage",
        "tourist",
        False,
        "How easy was it to find tourist information and signs at heritage sites?",
        "वारसा स्थळांवर पर्यटक माहिती व दिशादर्शक फलक शोधणे किती सोपे होते?",
    ),
    rating(
        "q_overall",
        "all",
        True,
        "Overall, how satisfied are you with PMC's services?",
        "एकूणच, महापालिकेच्या सेवांबद्दल आपण किती समाधानी आहात?",
    ),
    question(
        "q_recommend",
        "nps",
        "all",
        True,
        "How likely are you to recommend Pune as a place to live or visit?",
        "राहण्यासाठी किंवा भेट देण्यासाठी पुण्याची शिफारस करण्याची आपली कितपत शक्यता आहे?",
        lo=0,
        hi=10,
    ),
    question(
        "q_improve_first",
        "text",
        "all",
        False,
        "What one thing should PMC improve first?",
        "महापालिकेने सर्वप्रथम कोणती एक गोष्ट सुधारावी?",
        lo=1,
        hi=1000,
    ),
]

FESTIVAL_QUESTIONS = [
    rating(
        "q_crowd_management",
        "all",
        True,
        "How well were the crowds managed around the main mandals?",
        "प्रमुख मंडळांभोवतीची गर्दी किती चांगल्या प्रकारे हाताळली गेली?",
    ),
    rating(
        "q_cleanliness_after",
        "all",
        True,
        "How clean were the streets the morning after visarjan?",
        "विसर्जनानंतरच्या सकाळी रस्ते किती स्वच्छ होते?",
    ),
    question(
        "q_immersion_place",
        "single_choice",
        "citizen",
        False,
        "Where did your household immerse its Ganesh idol?",
        "आपल्या घरच्या गणेशमूर्तीचे विसर्जन कोठे केले?",
        [
            ("artificial_tank", "Artificial immersion tank", "कृत्रिम हौद"),
            ("river_ghat", "River ghat", "नदी घाट"),
            ("collection_centre", "Idol collection centre", "मूर्ती संकलन केंद्र"),
            ("at_home", "At home", "घरीच"),
        ],
    ),
    question(
        "q_festival_problems",
        "multi_choice",
        "all",
        False,
        "Which problems did you face during the festival?",
        "उत्सवादरम्यान आपल्याला कोणत्या अडचणी आल्या?",
        [
            ("parking", "Parking", "वाहनतळ"),
            ("noise", "Loud sound systems", "मोठ्या आवाजातील ध्वनिक्षेपक"),
            ("toilets", "Too few public toilets", "अपुरी सार्वजनिक स्वच्छतागृहे"),
            ("traffic_diversions", "Traffic diversions", "वाहतूक वळवणे"),
        ],
        lo=1,
        hi=4,
    ),
    question(
        "q_recommend_festival",
        "nps",
        "tourist",
        True,
        "How likely are you to recommend Pune's Ganeshotsav to a friend?",
        "पुण्याच्या गणेशोत्सवाची मित्रांना शिफारस करण्याची आपली कितपत शक्यता आहे?",
        lo=0,
        hi=10,
    ),
    question(
        "q_festival_comments",
        "text",
        "all",
        False,
        "Anything else PMC should know for next year?",
        "पुढील वर्षासाठी महापालिकेला आणखी काही सांगायचे आहे का?",
        lo=1,
        hi=1000,
    ),
]

# Free-text answers of the seeded responses; one starts with "-" as people write lists, which the export
# must neutralise (API.md 5.5).
COMMENTS = [
    "More artificial tanks in Kothrud, please.",
    "Bhidewada lane was very crowded after 10 pm.",
    "- more buses at night\n- more toilets near Mandai",
    "विसर्जन मिरवणूक खूप लांबली, वेळेचे नियोजन हवे.",
    "Volunteers at Kasba Ganpati were very helpful.",
    "ध्वनिक्षेपकांचा आवाज कमी ठेवावा.",
]


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def ulid(at: datetime, rng: random.Random) -> str:
    value = (int(at.timestamp() * 1000) << 80) | rng.getrandbits(80)
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def answers_for(questions, respondent_type, rng: random.Random) -> dict:
    answers: dict = {}
    for q in questions:
        if q["audience"] not in ("all", respondent_type):
            continue
        if not q["required"] and rng.random() < 0.25:
            continue
        if q["type"] == "rating":
            answers[q["id"]] = rng.choices(range(1, 6), weights=(1, 2, 4, 6, 3))[0]
        elif q["type"] == "nps":
            answers[q["id"]] = rng.choices(range(11), weights=(1, 1, 1, 1, 1, 2, 2, 4, 6, 5, 4))[0]
        elif q["type"] == "single_choice":
            answers[q["id"]] = rng.choice(q["options"])["id"]
        elif q["type"] == "multi_choice":
            ids = [o["id"] for o in q["options"]]
            answers[q["id"]] = sorted(rng.sample(ids, rng.randint(q["min"], q["max"])), key=ids.index)
        elif rng.random() < 0.4:
            answers[q["id"]] = rng.choice(COMMENTS)
    return answers


def responses(questions, opened: datetime, closed: datetime, rng: random.Random) -> list[dict]:
    span = int((closed - opened).total_seconds())
    times = sorted(opened + timedelta(seconds=rng.randrange(span)) for _ in range(CLOSED_RESPONSES))
    rows = []
    for at in times:
        respondent_type = "citizen" if rng.random() < 0.75 else "tourist"
        rows.append(
            {
                "id": f"RSP-{ulid(at, rng)}",
                "submitted_at": iso(at),
                "respondent_type": respondent_type,
                "channel": "signed_in" if respondent_type == "citizen" and rng.random() < 0.5 else "anonymous",
                "answers": answers_for(questions, respondent_type, rng),
            }
        )
    return rows


def build() -> dict[str, list[dict]]:
    rng = random.Random(SEED)
    opened = datetime(2026, 8, 27, 4, 30, tzinfo=UTC)
    closed = datetime(2026, 9, 15, 12, 30, tzinfo=UTC)
    city = {
        "id": stable_id("SUR", "city-perception-2026"),
        "status": "open",
        "audience": "all",
        "title": bi("Pune city services survey 2026", "पुणे शहर सेवा सर्वेक्षण २०२६"),
        "description": bi(
            "Tell PMC how its services work for you: cleanliness, water, roads, safety, transport, parks and complaints.",
            "स्वच्छता, पाणी, रस्ते, सुरक्षा, वाहतूक, उद्याने आणि तक्रारी: महापालिकेच्या सेवांबद्दल आपले मत कळवा.",
        ),
        "questions": CITY_QUESTIONS,
        "created_at": "2026-11-20T04:30:00Z",
        "opened_at": "2026-11-25T04:30:00Z",
        "closed_at": None,
        "sample": True,
        "responses": [],
    }
    festival = {
        "id": stable_id("SUR", "ganeshotsav-2026-feedback"),
        "status": "closed",
        "audience": "all",
        "title": bi("Ganeshotsav 2026 arrangements", "गणेशोत्सव २०२६ व्यवस्था"),
        "description": bi(
            "How did PMC's arrangements for Ganeshotsav work for you?",
            "गणेशोत्सवासाठी महापालिकेने केलेली व्यवस्था आपल्याला कशी वाटली?",
        ),
        "questions": FESTIVAL_QUESTIONS,
        "created_at": "2026-08-20T04:30:00Z",
        "opened_at": iso(opened),
        "closed_at": iso(closed),
        "sample": True,
        "responses": responses(FESTIVAL_QUESTIONS, opened, closed, rng),
    }
    return {NAME: [city, festival]}


def main() -> None:
    for name, rows in build().items():
        dump(DATA / name, rows)
        print(f"{name}: {len(rows)} surveys, {sum(len(r['responses']) for r in rows)} responses")


if __name__ == "__main__":
    main()
