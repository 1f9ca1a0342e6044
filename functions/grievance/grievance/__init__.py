"""Grievance service: PMC CARE grievances from logging to closure, with photos, followers, staff
workflow, SLA escalation, auto-close and SMS notifications."""
