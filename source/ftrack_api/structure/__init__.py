"""Structures: where a location stores the data of each component."""
