"""The query language of the local server: parser and evaluator.

:func:`parse` turns an expression into the syntax tree of :mod:`.ast`.
"""

from .parser import parse

__all__ = ['parse']
