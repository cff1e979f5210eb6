"""Accessors: ways of reading and writing the data of a location."""
