"""Lookup service: emergency numbers, PMC office directory, facility finder, who's who."""

from pmc_common import coldstart

coldstart.begin()  # first thing a handler's import runs: no garbage collection until its first answer
