"""Payments service: property tax and water bills — linking, dues, payments through a gateway,
reconciliation, receipts and collections (API.md 4)."""
