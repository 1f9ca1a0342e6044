"""PuneConnect CommonLayer: what every service shares (settings, errors, app factory, auth,
paging, ids, money, clock, DynamoDB settings). Nothing here knows a service's domain."""
