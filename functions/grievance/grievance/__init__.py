"""Grievance service: PMC CARE grievances from logging to closure, with photos, followers, staff
workflow, SLA escalation, auto-close and SMS notifications."""

from pmc_common import coldstart

coldstart.begin()  # first thing a handler's import runs: no garbage collection until its first answer
