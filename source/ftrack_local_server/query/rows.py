"""Fast encoding of stored rows for the query loader.

Encoding a result page touches thousands of rows of a handful of types.
:class:`RowCodecs` works out, once per type and response, what
:func:`ftrack_local_server.encoding.encode_entity` works out per row (the
concrete type of a row, its key columns, the automatic attributes and
their columns) and then encodes each row with plain lookups. The values
are converted by :func:`ftrack_local_server.encoding.from_storage`, so
they are exactly what the rest of the server sends.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..encoding import automatic_attributes, from_storage
from ..model import Model, kind_column

Spec = Tuple[str, Optional[str], Optional[str]]


class TypeCodec:
    """Encodes rows of one concrete type: :attr:`table`, :attr:`key_columns`."""

    def __init__(self, model: Model, type_name: str) -> None:
        layout = model.layout(type_name)
        entity_type = model.catalogue.get(type_name)
        self.type_name = type_name
        self.table = layout.table.name
        self.key_columns = layout.primary_key_columns
        self.key_names = entity_type.primary_key
        self.specs: Dict[str, Spec] = {}
        for name, column in layout.columns.items():
            data_type = layout.table.columns[column].data_type
            kind = kind_column(column) if data_type == 'variable' else None
            self.specs[name] = (column, data_type, kind)
        self.automatic: List[Tuple[str, Spec]] = [
            (name, self.specs[name]) for name in automatic_attributes(model, type_name)
            if name in self.specs
        ]

    def key(self, row: Any) -> Tuple[Any, ...]:
        """Return the stored primary-key values of *row*."""
        return tuple(row[column] for column in self.key_columns)

    def value(self, name: str, row: Any) -> Any:
        """Return the wire value of stored scalar *name* in *row*."""
        column, data_type, kind = self.specs[name]
        return from_storage(data_type, row[column], row[kind] if kind else None)

    def encode(self, row: Any) -> Dict[str, Any]:
        """Return *row* encoded with its primary key and automatic attributes."""
        encoded: Dict[str, Any] = {'__entity_type__': self.type_name}
        for name, (column, data_type, kind) in self.automatic:
            encoded[name] = from_storage(data_type, row[column],
                                         row[kind] if kind else None)
        return encoded

    def reference(self, key: Tuple[Any, ...]) -> Dict[str, Any]:
        """Return the entity reference for primary key *key*."""
        reference: Dict[str, Any] = {'__entity_type__': self.type_name}
        for name, stored in zip(self.key_names, key):
            _, data_type, _ = self.specs[name]
            reference[name] = from_storage(data_type, stored)
        return reference


class RowCodecs:
    """The :class:`TypeCodec` of each type, and the concrete type of rows."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._codecs: Dict[str, TypeCodec] = {}
        self._discriminators: Dict[str, Tuple[str, ...]] = {}
        self._concrete: Dict[Tuple[str, Tuple[Any, ...]], str] = {}

    def codec(self, type_name: str) -> TypeCodec:
        """Return the codec of *type_name*."""
        codec = self._codecs.get(type_name)
        if codec is None:
            codec = self._codecs[type_name] = TypeCodec(self.model, type_name)
        return codec

    def concrete(self, declared: str, row: Any) -> str:
        """Return the most specific type under *declared* of stored *row*."""
        columns = self._discriminators.get(declared)
        if columns is None:
            table = self.model.table(declared).name
            columns = self._discriminators[declared] = \
                self.model.discriminator_columns(table)
        if not columns:
            return self.model.concrete_type(declared, row)
        values = tuple(row[column] for column in columns)
        found = self._concrete.get((declared, values))
        if found is None:
            found = self._concrete[(declared, values)] = \
                self.model.concrete_type(declared, row)
        return found
