"""The query language of the local server: parser and evaluator.

:func:`parse` turns an expression into the syntax tree of :mod:`.ast`;
:func:`.executor.execute` runs one against a store transaction and returns
the ``query`` action's result. The parts, each in its own module:

* :mod:`.tokens` and :mod:`.parser` -- text to syntax tree (cached);
* :mod:`.paths` -- attribute names and paths resolved against the schema;
* :mod:`.compiler`, :mod:`.comparisons` and :mod:`.values` -- criteria,
  ordering and values to SQL over the storage model;
* :mod:`.projection`, :mod:`.loader` and :mod:`.rows` -- ``select`` lists
  loaded level by level and encoded for the wire;
* :mod:`.computed_sql` and :mod:`.computed` -- attributes computed on read;
* :mod:`.aggregate` -- ``group by`` and aggregate functions.
"""

from .parser import parse

__all__ = ['parse']
