"""Transformers of resource identifiers stored for component locations."""
