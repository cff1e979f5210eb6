"""The schema catalogue: the entity types the server knows.

The schema is the real server's ``query_schemas`` answer, shipped as
package data (``data/query_schemas.json``). :func:`load_raw_schemas` returns
it as the list the ``query_schemas`` action sends, and
:func:`compute_schema_hash` the hash ``query_server_information`` reports
(protocol §9.3), which clients compare with their schema cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

#: Path of the schema shipped with the package.
DEFAULT_SCHEMA_PATH = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), 'data', 'query_schemas.json'
)


def load_raw_schemas(path: Optional[str] = None) -> List[Dict[str, Any]]:
    """Return the schema list stored at *path* (default: the shipped one).

    Raise :class:`ValueError` naming *path* if the file is not a JSON list.
    """
    path = path or DEFAULT_SCHEMA_PATH
    with open(path, encoding='utf-8') as handle:
        schemas = json.load(handle)
    if not isinstance(schemas, list):
        raise ValueError(
            'Schema file {0!r} must hold a JSON list of schemas, '
            'found {1}.'.format(path, type(schemas).__name__)
        )
    return schemas


def compute_schema_hash(schemas: List[Dict[str, Any]]) -> str:
    """Return the MD5 hex digest clients use to validate their schema cache.

    The list is serialised with sorted keys, the default separators and
    ASCII escaping, exactly as clients do before hashing (protocol §9.3).
    """
    text = json.dumps(schemas, sort_keys=True)
    return hashlib.md5(text.encode('utf-8')).hexdigest()


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------

#: Attribute kinds.
SCALAR = 'scalar'
REFERENCE = 'reference'
COLLECTION = 'collection'
MAPPED_COLLECTION = 'mapped_collection'

#: Default value meaning "generate a new UUID4 string".
UID_DEFAULT = '{uid}'

#: Supertype of each type that specialises another one. The schema dump
#: does not state inheritance, so it is written down here; each entry is
#: backed by the schema (shared internal table in ``alias_for``, the same
#: attributes, or a collection of the supertype holding the subtype).
SUPERTYPES = {
    # One context hierarchy: projects ("Show") and typed contexts ("Task"
    # table, classified by object type).
    'Project': 'Context',
    'TypedContext': 'Context',
    'Task': 'TypedContext',
    'Shot': 'TypedContext',
    'Sequence': 'TypedContext',
    'Folder': 'TypedContext',
    'Episode': 'TypedContext',
    'Milestone': 'TypedContext',
    'AssetBuild': 'TypedContext',
    # Components, told apart by ``system_type``.
    'FileComponent': 'Component',
    'SequenceComponent': 'ContainerComponent',
    'ContainerComponent': 'Component',
    # Lists, classified by the kind of item they hold.
    'TypedContextList': 'List',
    'AssetVersionList': 'List',
    # Resources, told apart by ``resource_type``.
    'User': 'Resource',
    'Group': 'Resource',
    # Custom attribute configurations ("RegisterBase").
    'CustomAttributeConfiguration': 'CustomConfigurationBase',
    'CustomAttributeLinkConfiguration': 'CustomConfigurationBase',
    # Dense custom attribute values, one family per owner kind.
    'ContextCustomAttributeValue': 'CustomAttributeValue',
    'AssetVersionCustomAttributeValue': 'CustomAttributeValue',
    'UserCustomAttributeValue': 'CustomAttributeValue',
    'ListCustomAttributeValue': 'CustomAttributeValue',
    'AssetCustomAttributeValue': 'CustomAttributeValue',
    'ListObjectCustomAttributeValue': 'CustomAttributeValue',
    # Custom attribute links, seen from the linking entity ("from")...
    'ContextCustomAttributeLink': 'CustomAttributeLink',
    'AssetVersionCustomAttributeLink': 'CustomAttributeLink',
    'UserCustomAttributeLink': 'CustomAttributeLink',
    'GroupCustomAttributeLink': 'CustomAttributeLink',
    'ListCustomAttributeLink': 'CustomAttributeLink',
    'AssetCustomAttributeLink': 'CustomAttributeLink',
    'ComponentCustomAttributeLink': 'CustomAttributeLink',
    # ... and from the linked entity ("to").
    'ContextCustomAttributeLinkFrom': 'CustomAttributeLinkFrom',
    'AssetVersionCustomAttributeLinkFrom': 'CustomAttributeLinkFrom',
    'UserCustomAttributeLinkFrom': 'CustomAttributeLinkFrom',
    'GroupCustomAttributeLinkFrom': 'CustomAttributeLinkFrom',
    'ListCustomAttributeLinkFrom': 'CustomAttributeLinkFrom',
    'AssetCustomAttributeLinkFrom': 'CustomAttributeLinkFrom',
    'ComponentCustomAttributeLinkFrom': 'CustomAttributeLinkFrom',
    # Status changes ("Trac"), told apart by what changed.
    'TypedContextStatusChange': 'StatusChange',
    'AssetVersionStatusChange': 'StatusChange',
}


def _error(message: str) -> Exception:
    # Imported lazily so that this module stays importable on its own
    # (the shell reads load_raw_schemas before anything else).
    from .errors import ValidationError

    return ValidationError(message)


class Attribute:
    """One attribute of an entity type, as the schema describes it.

    *name* is the public name; *kind* one of :data:`SCALAR`,
    :data:`REFERENCE`, :data:`COLLECTION`, :data:`MAPPED_COLLECTION`;
    *data_type* for scalars the schema type (``string``, ``integer``,
    ``number``, ``boolean``, ``variable``, ``object``) or ``datetime`` for
    ``format: date-time`` strings; *target* the referenced or item type
    name for relations. *default* is the raw schema default
    (:attr:`has_default` tells whether there is one; ``{uid}`` means a new
    UUID, see :meth:`make_default`). *alias_for* is the real server's
    internal name. *immutable*, *required*, *computed* and
    *restricted_projection* come from the type's lists and the property.
    """

    __slots__ = (
        'name', 'entity_type', 'kind', 'data_type', 'target', 'default',
        'has_default', 'alias_for', 'immutable', 'required', 'computed',
        'restricted_projection', 'enum', 'format', 'description',
        'transform', 'key_value_attributes', 'raw',
    )

    def __init__(self, entity_type: str, name: str, raw: Dict[str, Any],
                 immutable: bool, required: bool, computed: bool) -> None:
        self.name = name
        self.entity_type = entity_type
        self.raw = raw
        schema_type = raw.get('type')
        self.format = raw.get('format')
        self.target: Optional[str] = None
        self.data_type: Optional[str] = None
        if schema_type == 'array':
            self.kind = COLLECTION
            self.target = (raw.get('items') or {}).get('$ref')
        elif schema_type == 'mapped_array':
            self.kind = MAPPED_COLLECTION
            self.target = (raw.get('items') or {}).get('$ref')
        elif schema_type is None and raw.get('$ref'):
            self.kind = REFERENCE
            self.target = raw['$ref']
        else:
            self.kind = SCALAR
            if schema_type is None:
                # User.user_type_id: a foreign key with neither type nor
                # $ref; it holds an id, so it is a string.
                schema_type = 'string'
            if schema_type == 'string' and self.format == 'date-time':
                self.data_type = 'datetime'
            else:
                self.data_type = schema_type
        self.has_default = 'default' in raw
        self.default = raw.get('default')
        self.alias_for = raw.get('alias_for')
        self.immutable = immutable
        self.required = required
        self.computed = computed
        self.restricted_projection = bool(raw.get('restricted_projection'))
        self.enum = tuple(raw['enum']) if 'enum' in raw else None
        self.description = raw.get('description')
        self.transform = raw.get('transform')
        self.key_value_attributes = raw.get('key_value_attributes')

    @property
    def is_relation(self) -> bool:
        """True for references, collections and mapped collections."""
        return self.kind != SCALAR

    @property
    def is_many(self) -> bool:
        """True for collections and mapped collections."""
        return self.kind in (COLLECTION, MAPPED_COLLECTION)

    def make_default(self) -> Any:
        """Return a fresh default value (a new UUID for ``{uid}``)."""
        if self.default == UID_DEFAULT:
            return str(uuid.uuid4())
        if isinstance(self.default, (list, dict)):
            return json.loads(json.dumps(self.default))
        return self.default

    def __repr__(self) -> str:
        return '<Attribute {0}.{1} {2}{3}>'.format(
            self.entity_type, self.name, self.kind,
            ' ' + (self.data_type or self.target or ''),
        )


class EntityType:
    """One entity type of the schema.

    *name* is the schema id (the ``__entity_type__`` clients see),
    *primary_key* the ordered key attribute names, *attributes* a mapping
    name -> :class:`Attribute` (schema order). *default_projections* and
    *system_projections* are public attribute names (system projections
    are mapped from the internal names the schema lists; those without a
    public attribute are dropped). *internal_name* is the real server's
    table name (schema-level ``alias_for``), *classifiers* the classifier
    mapping of typed schemas (``{'object_typeid': <id>}``). *supertype* and
    *subtypes* give the specialisation hierarchy of :data:`SUPERTYPES`.
    """

    def __init__(self, raw: Dict[str, Any]) -> None:
        self.raw = raw
        self.name: str = raw['id']
        self.primary_key: Tuple[str, ...] = tuple(raw.get('primary_key') or ())
        self.required = tuple(raw.get('required') or ())
        self.immutable = tuple(raw.get('immutable') or ())
        self.computed = tuple(raw.get('computed') or ())
        alias = raw.get('alias_for')
        if isinstance(alias, dict):
            self.internal_name: str = alias.get('id') or self.name
            self.classifiers: Dict[str, Any] = dict(alias.get('classifiers') or {})
        else:
            self.internal_name = alias or self.name
            self.classifiers = {}
        self.alias_for = alias
        required = set(self.required)
        immutable = set(self.immutable)
        computed = set(self.computed)
        self.attributes: Dict[str, Attribute] = {}
        for name, fragment in (raw.get('properties') or {}).items():
            self.attributes[name] = Attribute(
                self.name, name, fragment,
                immutable=name in immutable,
                required=name in required,
                computed=name in computed,
            )
        self.default_projections = tuple(raw.get('default_projections') or ())
        self.raw_system_projections = tuple(raw.get('system_projections') or ())
        self.system_projections = tuple(self._public_system_projections())
        self.supertype: Optional['EntityType'] = None
        self.subtypes: List['EntityType'] = []

    def _public_system_projections(self) -> Iterator[str]:
        seen = set()
        for internal in self.raw_system_projections:
            public = None
            if internal in self.attributes and \
                    self.attributes[internal].kind == SCALAR:
                public = internal
            else:
                for attribute in self.attributes.values():
                    if attribute.kind == SCALAR and \
                            attribute.alias_for == internal:
                        public = attribute.name
                        break
            if public is not None and public not in seen:
                seen.add(public)
                yield public

    def attribute(self, name: str) -> Attribute:
        """Return attribute *name*.

        Raise :class:`~ftrack_local_server.errors.ValidationError` naming
        the attribute and this type when there is no such attribute.
        """
        try:
            return self.attributes[name]
        except KeyError:
            raise _error(
                'Entity type "{0}" has no attribute "{1}".'.format(
                    self.name, name)
            ) from None

    def has_attribute(self, name: str) -> bool:
        """Return whether this type has an attribute called *name*."""
        return name in self.attributes

    @property
    def root(self) -> 'EntityType':
        """The topmost supertype (this type when it has none)."""
        entity_type = self
        while entity_type.supertype is not None:
            entity_type = entity_type.supertype
        return entity_type

    def ancestors(self) -> List['EntityType']:
        """Return the supertypes, nearest first."""
        result = []
        entity_type = self.supertype
        while entity_type is not None:
            result.append(entity_type)
            entity_type = entity_type.supertype
        return result

    def descendants(self) -> List['EntityType']:
        """Return every subtype, recursively (not including this type)."""
        result: List[EntityType] = []
        for subtype in self.subtypes:
            result.append(subtype)
            result.extend(subtype.descendants())
        return result

    def is_a(self, other: Union[str, 'EntityType']) -> bool:
        """Return whether this type is *other* or one of its subtypes."""
        name = other if isinstance(other, str) else other.name
        entity_type: Optional[EntityType] = self
        while entity_type is not None:
            if entity_type.name == name:
                return True
            entity_type = entity_type.supertype
        return False

    def scalars(self) -> List[Attribute]:
        """Return the scalar attributes."""
        return [a for a in self.attributes.values() if a.kind == SCALAR]

    def __repr__(self) -> str:
        return '<EntityType {0}>'.format(self.name)


class Catalogue:
    """Every entity type the server knows, built from the schema list.

    Build with :meth:`load` (the shipped schema, or *path*) or directly
    from a schema list. :attr:`schemas` is the raw list (what
    ``query_schemas`` answers) and :attr:`schema_hash` its hash.
    """

    def __init__(self, schemas: List[Dict[str, Any]]) -> None:
        self.schemas = schemas
        self.schema_hash = compute_schema_hash(schemas)
        self.types: Dict[str, EntityType] = {}
        for raw in schemas:
            entity_type = EntityType(raw)
            self.types[entity_type.name] = entity_type
        for name, supertype in SUPERTYPES.items():
            if name in self.types and supertype in self.types:
                child = self.types[name]
                parent = self.types[supertype]
                child.supertype = parent
                parent.subtypes.append(child)
        self._by_lower = {name.lower(): name for name in self.types}
        self._by_classifier: Dict[Tuple[str, str, Any], str] = {}
        for entity_type in self.types.values():
            for key, value in entity_type.classifiers.items():
                self._by_classifier[
                    (entity_type.internal_name, key, value)] = entity_type.name

    @classmethod
    def load(cls, path: Optional[str] = None) -> 'Catalogue':
        """Return the catalogue of the schema file at *path* (default: shipped)."""
        return cls(load_raw_schemas(path))

    def get(self, name: Any) -> EntityType:
        """Return entity type *name*.

        Raise :class:`~ftrack_local_server.errors.ValidationError` naming
        the value when there is no such type.
        """
        if isinstance(name, str):
            entity_type = self.types.get(name)
            if entity_type is not None:
                return entity_type
        raise _error('Unknown entity type "{0}".'.format(name))

    def find(self, name: str) -> Optional[EntityType]:
        """Return entity type *name* or None."""
        return self.types.get(name)

    def find_case_insensitive(self, name: str) -> Optional[EntityType]:
        """Return the type whose name equals *name* ignoring case, or None."""
        actual = self._by_lower.get(name.lower()) if isinstance(name, str) else None
        return self.types.get(actual) if actual else None

    def attribute(self, type_name: str, attribute_name: str) -> Attribute:
        """Return attribute *attribute_name* of type *type_name*.

        Raise :class:`~ftrack_local_server.errors.ValidationError` naming
        the unknown type, or the unknown attribute and its type.
        """
        return self.get(type_name).attribute(attribute_name)

    def classified(self, internal_name: str, key: str, value: Any) -> Optional[EntityType]:
        """Return the type of table *internal_name* whose classifier *key* is *value*."""
        name = self._by_classifier.get((internal_name, key, value))
        return self.types.get(name) if name else None

    def __contains__(self, name: object) -> bool:
        return name in self.types

    def __iter__(self) -> Iterator[EntityType]:
        return iter(self.types.values())

    def __len__(self) -> int:
        return len(self.types)
