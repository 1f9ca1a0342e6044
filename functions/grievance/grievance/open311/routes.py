"""Open311 GeoReport v2 routes at /open311/v2 (API.md 6, issue 19) and the admin key routes, on the grievance
API's app. Each Open311 resource answers in `.json` or `.xml` and errs in the specification's own format
(never problem+json); the key routes are ordinary admin routes (problem+json).

Routes parse, check the key, call the domain and the store, and shape the reply; GET never returns personal
data; a POST's contact fields are stored and never returned."""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from grievance import domain, photos, reference, store
from grievance.open311 import formats
from grievance.open311 import store as open311_store
from grievance.open311.formats import Format
from grievance.open311.mapping import (
    JURISDICTION,
    MAX_REQUESTS,
    Open311Error,
    bad,
    discovery,
    request_form,
    requests_query,
    service,
    service_definition,
    service_request,
    ward_of_address,
)
from grievance.open311.models import Open311KeyCreate, Open311KeyView
from pmc_common import caching, dynamo, ids
from pmc_common.app import App, Now, Request, Response
from pmc_common.auth import AdminCaller
from pmc_common.clock import iso
from pmc_common.errors import (
    BadRequest,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
)
from pmc_common.paging import Page
from pmc_common.views import json_response, shaped

BASE = "/open311/v2"
RATE_PER_MINUTE = 120  # API.md 1.11: per key, per fixed UTC minute
MAX_FORM_BYTES = 64 * 1024  # a 4000-character Marathi description percent-encoded is about 36 KB
MAX_FORM_FIELDS = 200
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # under Lambda's 6 MB response limit, with room for headers and base64
XML_OVERHEAD_BYTES = 600  # a request's XML tags beyond its JSON: 17 element names written twice
FORM_TYPE = "application/x-www-form-urlencoded"
KEY_ALPHABET = string.ascii_letters + string.digits
KEY_PREFIX_LENGTH = 9  # "o311_" and four characters: enough to tell keys apart in a list
TOKEN_ALPHABET = ids.CROCKFORD
TOKEN_LENGTH = 16
OPEN311_OWNER = "open311:"  # + key id: the owner_sub of a key's requests
SERVICES_MAX_AGE = 300  # discovery, services and definitions change only with a deploy (like /grievance-categories)


# --- the Open311 answer ------------------------------------------------------------------------------

ERRORS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Open311's error list (not problem+json); as XML <errors><error><code/><description/></error>",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
ERROR_TITLES = {
    400: "Bad request: a wrong parameter or form field",
    403: "Forbidden: api_key missing, unknown or revoked",
    404: "Not found: no such resource, id, service, token or jurisdiction",
    429: "Too many requests: 120 a minute per api_key",
}


LIST_SCHEMA: dict[str, Any] = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
OBJECT_SCHEMA: dict[str, Any] = {"type": "object", "additionalProperties": True}
ANY_SCHEMA: dict[str, Any] = {"description": "discovery: an object; services and requests: a list of objects"}


def documented(
    status: int,
    summary: str,
    *errors: int,
    schema: dict[str, Any] = LIST_SCHEMA,
    headers: tuple[str, ...] = (),
    cached: bool = False,
) -> dict[int, dict[str, Any]]:
    """The OpenAPI answers of an Open311 route: its success and Open311 errors, each `.json` or `.xml`;
    `cached`: an ETag on the success and a 304 for an If-None-Match that holds it."""

    def content(schema: dict[str, Any]) -> dict[str, Any]:
        return {"application/json": {"schema": schema}, "text/xml": {"schema": {"type": "string"}}}

    success = (*headers, "ETag") if cached else headers
    answers: dict[int, dict[str, Any]] = {
        status: {"description": summary, "content": content(schema), "headers": success}
    }
    if cached:
        answers[304] = {"description": "Not modified: If-None-Match holds the current ETag", "headers": ("ETag",)}
    for code in errors:
        retry = ("Retry-After",) if code == 429 else ()
        answers[code] = {"description": ERROR_TITLES[code], "content": content(ERRORS_SCHEMA), "headers": retry}
    return answers


def _from_domain(error: DomainError) -> Open311Error:
    """A domain error raised on an Open311 path, in Open311's codes (400, 403, 404, 429)."""
    if isinstance(error, NotFound):
        return Open311Error(404, error.detail)
    if isinstance(error, Forbidden):
        return Open311Error(403, error.detail)
    if isinstance(error, TooManyRequests):
        return Open311Error(429, error.detail, error.headers)
    if isinstance(error, Invalid):
        where = ", ".join(f"{_form_name(e.field)}: {e.message}" for e in error.errors)
        return Open311Error(400, where or error.detail)
    if isinstance(error, BadRequest):
        return Open311Error(400, error.detail)
    raise error


def fault(request: Request, error: DomainError) -> Response | None:
    """A request fault the app meets on an Open311 path before any route answers (an unknown path, a body
    over 256 KiB), in Open311's format: that of the path's suffix, else XML. None: not one of its codes."""
    parts = formats.split_format(request.scope["path"].rsplit("/", 1)[-1])
    fmt: Format = parts[1] if parts else "xml"
    if isinstance(error, PayloadTooLarge):
        return formats.errors(fmt, 400, error.detail)
    try:
        translated = _from_domain(error)
    except DomainError:
        return None
    return formats.errors(fmt, translated.code, translated.description, translated.headers)


def _form_name(field: str) -> str:
    """A domain field name in the form's words: body.attributes.x -> attribute[x]; body -> the location."""
    if field.startswith("body.attributes."):
        return f"attribute[{field.removeprefix('body.attributes.')}]"
    return "location" if field == "body" else field.removeprefix("body.")


def answer(name: str, build: Callable[[str, Format], Response], request: Request) -> Response:
    """Serve `name` (`services.json`): its format from the suffix (XML, the required one, when none fits),
    the jurisdiction checked, every error as Open311's `errors` list."""
    parts = formats.split_format(name)
    fmt: Format = parts[1] if parts else "xml"
    try:
        if parts is None:
            raise Open311Error(404, "No such resource: add .json or .xml")
        jurisdiction = request.query_params.get("jurisdiction_id")
        if jurisdiction is not None and jurisdiction != JURISDICTION:
            raise Open311Error(404, f"jurisdiction_id must be {JURISDICTION}")
        try:
            return build(parts[0], fmt)
        except DomainError as error:
            raise _from_domain(error) from None
    except Open311Error as error:
        return formats.errors(fmt, error.code, error.description, error.headers)


def cached(request: Request, response: Response) -> Response:
    """A public read of what changes only with a deploy (discovery, services, a service definition): a strong
    ETag of its body (API.md 1.9: each format has its own), a public max-age, and 304 when If-None-Match
    holds that ETag. Errors are not cached."""
    if response.status_code != 200:
        return response
    etag = caching.etag_of(bytes(response.body))
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={SERVICES_MAX_AGE}"}
    if caching.matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# --- keys ------------------------------------------------------------------------------------------


def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()


def new_api_key() -> str:
    """`o311_` + 32 alphanumerics (about 190 random bits)."""
    return "o311_" + "".join(secrets.choice(KEY_ALPHABET) for _ in range(32))


def keyed(api_key: str | None, now: datetime) -> str:
    """The id of the live key given, counted in its minute: 403 when missing, unknown or revoked; 429 with
    Retry-After once it made RATE_PER_MINUTE requests this UTC minute."""
    if not api_key:
        raise Open311Error(403, "api_key is required")
    if len(api_key) > 64:
        raise Open311Error(403, "api_key is not valid")
    key_id = open311_store.key_by_hash(key_hash(api_key))
    if key_id is None:
        raise Open311Error(403, "api_key is not valid")
    if not open311_store.count_use(key_id, now, RATE_PER_MINUTE):
        retry = str(60 - now.second)
        raise Open311Error(429, f"At most {RATE_PER_MINUTE} requests a minute per api_key", {"Retry-After": retry})
    return key_id


# --- reference data in Open311's words ---------------------------------------------------------------


@cache
def _datatypes() -> dict[str, dict[str, str]]:
    """Service code -> its attributes' code -> datatype."""
    return {c.id: {a["code"]: a["datatype"] for a in c.attributes} for c in reference.categories().values()}


@cache
def localities() -> dict[str, str]:
    """The locality gazetteer for address-only requests: the localities of data/localities.json and each
    ward office's places (its name's parts), in English and Marathi -> ward."""
    found: dict[str, str] = {}
    for ward, name in reference.ward_names().items():
        for language in ("en", "mr"):
            for part in name[language].replace("—", "–").split("–"):
                if part.strip():
                    found[part.strip()] = ward
    for locality in reference.localities():
        for language in ("en", "mr"):
            found[locality["name"][language]] = locality["ward"]
    return found


@cache
def property_wards() -> dict[str, str]:
    """PMC's property register, for `address_id`: property id -> ward, from data/property_register.json (ids and
    wards of the properties the payments service is loaded from, nothing personal; a service never reads
    another's table, DESIGN.md), read at the first POST that names a property."""
    rows: list[dict[str, str]] = json.loads((reference.FOLDER / "property_register.json").read_text(encoding="utf-8"))
    return {row["property_id"]: row["ward"] for row in rows}


def _request_view(g: domain.Grievance, request: Request) -> dict[str, Any]:
    category = reference.categories().get(g.category)
    media_url = f"{base_url(request)}{BASE}/media/{g.id}.jpg" if g.photo_count > 0 else None
    return service_request(
        g,
        service_name=category.name["en"] if category else g.category,
        agency=reference.department_name(g.department)["en"],
        media_url=media_url,
    )


# --- routes ----------------------------------------------------------------------------------------


def register(app: App) -> None:
    """Add the Open311 routes and the admin key routes to the grievance API's app."""
    app.answer_faults(f"{BASE}/", fault)

    @app.get(
        f"{BASE}/{{document}}",
        name="get_open311_document",
        answers=documented(200, "Discovery, services or requests", 400, 403, 404, 429, schema=ANY_SCHEMA, cached=True),
    )
    def document(request: Request, document: str, clock: Now) -> Response:
        """discovery, services and requests, each .json or .xml; discovery and services with an ETag (304 for
        an If-None-Match that holds it), requests never cached."""

        def build(stem: str, fmt: Format) -> Response:
            if stem == "discovery":
                return cached(request, formats.reply(fmt, "discovery", discovery(base_url(request))))
            if stem == "services":
                departments = reference.departments()
                items = [
                    service(c, (departments.get(c.department_id) or {"en": c.department_id})["en"])
                    for c in sorted(reference.categories().values(), key=lambda c: c.id)
                ]
                return cached(request, formats.reply(fmt, "services", items))
            if stem == "requests":
                now = clock.now()
                if "api_key" in request.query_params:
                    keyed(request.query_params["api_key"], now)
                query = requests_query(dict(request.query_params), reference.categories(), now)
                if query.ids:
                    found = open311_store.by_ids(query.ids)
                else:
                    codes = query.service_codes or tuple(sorted(reference.categories()))
                    found = open311_store.requested_between(query, codes, MAX_REQUESTS)
                return formats.reply(
                    fmt, "service_requests", _within_answer_size([_request_view(g, request) for g in found])
                )
            raise Open311Error(404, "No such resource")

        return answer(document, build, request)

    @app.post(
        f"{BASE}/{{document}}",
        status_code=201,
        name="post_open311_request",
        answers=documented(201, "The new request's id and token", 400, 403, 404, 429, headers=("Location",)),
    )
    async def post_request(request: Request, document: str, clock: Now) -> Response:
        """POST requests.json or .xml: a form-encoded service request, keyed by api_key."""
        raw = await request.body()

        def build(stem: str, fmt: Format) -> Response:
            if stem != "requests":
                raise Open311Error(404, "No such resource")
            fields = _form(raw, request.headers.get("content-type", ""))
            jurisdiction = _first(fields, "jurisdiction_id")
            if jurisdiction is not None and jurisdiction != JURISDICTION:
                raise Open311Error(404, f"jurisdiction_id must be {JURISDICTION}")
            now = clock.now()
            key_id = keyed(_first(fields, "api_key"), now)
            form = request_form(fields, _datatypes())
            return _create(form, key_id, now, fmt, request)

        return answer(document, build, request)

    @app.get(
        f"{BASE}/services/{{service_file}}",
        name="get_open311_service_definition",
        answers=documented(200, "A service's definition", 404, schema=OBJECT_SCHEMA, cached=True),
    )
    def service_file(request: Request, service_file: str) -> Response:
        """A service's definition, .json or .xml, with an ETag (304 for an If-None-Match that holds it)."""

        def build(code: str, fmt: Format) -> Response:
            category = reference.categories().get(code)
            if category is None:
                raise Open311Error(404, "No service with that service_code")
            return cached(request, formats.reply(fmt, "service_definition", service_definition(category)))

        return answer(service_file, build, request)

    @app.get(
        f"{BASE}/requests/{{request_file}}",
        name="get_open311_request",
        answers=documented(200, "One service request", 404),
    )
    def request_file(request: Request, request_file: str) -> Response:
        def build(request_id: str, fmt: Format) -> Response:
            g = store.get(request_id) if ids.GRIEVANCE_ID.match(request_id) else None
            if g is None:
                raise Open311Error(404, "No service request with that id")
            return formats.reply(fmt, "service_requests", [_request_view(g, request)])

        return answer(request_file, build, request)

    @app.get(
        f"{BASE}/tokens/{{token_file}}", name="get_open311_token", answers=documented(200, "A token's request id", 404)
    )
    def token_file(request: Request, token_file: str) -> Response:
        def build(token: str, fmt: Format) -> Response:
            known = len(token) == TOKEN_LENGTH and set(token) <= set(TOKEN_ALPHABET)
            request_id = open311_store.request_of_token(token) if known else None
            if request_id is None:
                raise Open311Error(404, "No service request with that token")
            return formats.reply(fmt, "service_requests", [{"service_request_id": request_id, "token": token}])

        return answer(token_file, build, request)

    @app.get(
        f"{BASE}/media/{{media_file}}",
        name="get_open311_media",
        answers={
            302: {"description": "To a signed URL of the thumbnail, valid 300 s", "headers": ("Location",)},
            404: {"description": ERROR_TITLES[404], "content": {"text/xml": {"schema": {"type": "string"}}}},
        },
    )
    def media_file(request: Request, media_file: str) -> Response:
        """A request's stable media_url: a redirect to a fresh signed URL of its first ready photo's thumbnail
        (a metadata-free JPEG of at most 320 px, API.md 3.5); the URL holds only the request id."""
        grievance_id = media_file.removesuffix(".jpg")
        if not media_file.endswith(".jpg") or not ids.GRIEVANCE_ID.match(grievance_id):
            return formats.errors("xml", 404, "No such media")
        url = photos.first_thumbnail_url(grievance_id)
        if url is None:
            return formats.errors("xml", 404, "No such media")
        return Response(status_code=302, headers={"Location": url})

    # --- admin: keys (problem+json) ---------------------------------------------------------------

    @app.post("/admin/open311/keys", status_code=201, response_model=Open311KeyView, name="issue_open311_key")
    def issue_key(body: Open311KeyCreate, caller: AdminCaller, clock: Now) -> Response:
        now = iso(clock.now())

        def draw() -> tuple[open311_store.KeyRecord, str]:
            api_key = new_api_key()
            record = open311_store.KeyRecord(
                id=ids.new_id("KEY"),
                name=body.name,
                contact_email=body.contact_email,
                key_prefix=api_key[:KEY_PREFIX_LENGTH],
                created_at=now,
                last_used_at=None,
                revoked_at=None,
            )
            return record, api_key

        # a taken id (or hash) draws again (API.md 1.2), a bounded number of times
        record, api_key = dynamo.with_fresh_id(draw, lambda drawn: open311_store.add_key(drawn[0], key_hash(drawn[1])))
        view = shaped(Open311KeyView, record, api_key=api_key)  # the only time the key is shown
        return json_response(view, 201)

    @app.get("/admin/open311/keys", response_model=Page[Open311KeyView], name="list_open311_keys")
    def list_keys(caller: AdminCaller) -> Response:
        items = [shaped(Open311KeyView, k, api_key=None) for k in open311_store.all_keys()]
        return json_response({"items": items, "next_cursor": None})

    @app.delete("/admin/open311/keys/{key_id}", status_code=204, name="revoke_open311_key")
    def revoke_key(key_id: str, caller: AdminCaller, clock: Now) -> Response:
        if not ids.is_id("KEY", key_id) or not open311_store.revoke(key_id, iso(clock.now())):
            raise NotFound("No Open311 key with that id")
        return Response(status_code=204)


def _within_answer_size(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first views whose answer stays under MAX_ANSWER_BYTES in either format: 1000 requests with
    4000-character Marathi descriptions would pass Lambda's 6 MB response limit. Newest first, so a client
    narrows the window to see the rest."""
    kept, size = [], 0
    for view in views:
        size += len(json.dumps(view, ensure_ascii=False).encode("utf-8")) + XML_OVERHEAD_BYTES
        if size > MAX_ANSWER_BYTES:
            break
        kept.append(view)
    return kept


# --- POST helpers ------------------------------------------------------------------------------------


def _form(raw: bytes, content_type: str) -> list[tuple[str, str]]:
    """The form's fields, bounded like JSON bodies are: at most MAX_FORM_BYTES and MAX_FORM_FIELDS, UTF-8."""
    if content_type.split(";")[0].strip().lower() != FORM_TYPE:
        raise bad(f"Content-Type must be {FORM_TYPE}")
    if len(raw) > MAX_FORM_BYTES:
        raise bad(f"The form is over {MAX_FORM_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict")
    except UnicodeDecodeError:
        raise bad("The form is not UTF-8") from None
    except ValueError:
        raise bad(f"The form has more than {MAX_FORM_FIELDS} fields") from None


def _first(fields: list[tuple[str, str]], name: str) -> str | None:
    return next((v.strip() for k, v in fields if k == name and v.strip()), None)


def _create(form: Any, key_id: str, now: datetime, fmt: Format, request: Request) -> Response:
    category = reference.categories()[form.service_code]
    attributes = domain.check_attributes(category.attributes, form.attributes)  # Invalid: 400 attribute[code]
    location = form.location
    if location.address_id is not None and location.address_id not in property_wards():
        raise bad("address_id names no property of PMC's property register")
    if location.lat is not None and location.lng is not None:
        ward = reference.geography().ward_of(location.lat, location.lng)  # Invalid (outside PMC): 400
    else:
        found = ward_of_address(location, localities())
        if found is None:
            raise bad("The address names no place in Pune Municipal Corporation: send lat and long or address_id")
        ward = found
    change = domain.log(
        grievance_id=ids.grievance_id(now),
        category=category.id,
        department=category.department_id,
        sla_hours=category.sla_hours,
        ward=ward,
        description=form.description,
        lat=location.lat,
        lng=location.lng,
        address=location.address,
        landmark=None,
        attributes=attributes,
        owner_sub=OPEN311_OWNER + key_id,
        owner_phone_number=None,
        channel="open311",
        now=now,
    )
    token = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
    kept: Mapping[str, Any] = {
        **form.contact,
        "media_url": form.media_url,
        "address_id": location.address_id,
        "key_id": key_id,
    }
    g = store.create(change, open311_store.companions(token, dict(kept)))
    created = [{"service_request_id": g.id, "token": token, "service_notice": None, "account_id": None}]
    location_header = f"{BASE}/requests/{g.id}.{fmt}"
    return formats.reply(fmt, "service_requests", created, 201, {"Location": location_header})
