"""Open311 GeoReport v2 and Service Discovery over the grievances (API.md 6, issue 19): `mapping` (pure: what
a grievance or category is in Open311's words, what a query or form asks), `formats` (XML and JSON replies and
errors), `store` (keys, tokens, rate windows, index reads), `routes` (the HTTP side)."""
