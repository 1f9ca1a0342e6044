"""The perception survey (API.md section 5): definitions, answers, live results from sharded counters, CSV."""
