"""Lookup service: emergency numbers, PMC office directory, facility finder, who's who."""
