"""Build entity classes from the server's schemas."""

from __future__ import annotations

import functools
import logging
import os

import ftrack_api.attribute
import ftrack_api.cache
import ftrack_api.collection
import ftrack_api.entity.base
import ftrack_api.symbol
from ftrack_api.collection import _get_custom_attribute_configurations  # noqa: F401
from ftrack_api.logging import LazyLogMessage as L  # noqa: F401 - upstream's name.

NOT_SET = ftrack_api.symbol.NOT_SET

#: Scalar schema types and the data type recorded on the attribute.
_SCALAR_TYPES = {
    'string': 'string',
    'boolean': 'boolean',
    'integer': 'integer',
    'number': 'float',
    'variable': 'variable',
    'object': 'object',
}

# Re-exported: documented as part of this module too.
memoise_session = ftrack_api.collection.memoise_session


class PerSessionDefaultKeyMaker(ftrack_api.cache.KeyMaker):
    """Key maker for defaults computed per session (this module's own class).

    Upstream defines the class both here and in :mod:`ftrack_api.collection`;
    both make the same keys: each item's ``str``, joined without separator.
    """

    def _key(self, obj):
        """Return the key of the single item *obj*."""
        return str(obj)


def _memo_part(value):
    """Return a hashable stand-in for the argument *value*."""
    try:
        hash(value)
    except TypeError:
        return ('repr', type(value).__name__, repr(value))
    return ('value', type(value).__name__, value)


def memoise_defaults(function):
    """Memoise *function*, a computer of default values, for the process.

    Calls are told apart by their arguments once bound to the signature of
    *function* with its defaults filled in, so ``f(1)``, ``f(1, 1)`` and
    ``f(x=1)`` share one result when ``1`` is the default of the second
    parameter. The first result is returned again (not a copy). Arguments
    that cannot be hashed are told apart by their ``repr``. Arguments not
    matching the signature are passed on, so the call raises the usual
    :exc:`TypeError`.
    """
    import inspect  # only memoised functions need it

    signature = inspect.signature(function)
    memo = {}

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            # Let the call itself say what is wrong with the arguments.
            return function(*args, **kwargs)
        bound.apply_defaults()
        key = tuple(
            (name, _memo_part(value)) for name, value in bound.arguments.items()
        )
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = function(*args, **kwargs)
            return value

    return wrapper


#: Hex digit of the variant field (``10xx``) for each random hex digit.
_VARIANT_DIGITS = {
    digit: '89ab'[int(digit, 16) & 3] for digit in '0123456789abcdef'
}


def _generate_uid(entity=None):
    """Return a new random UUID4 string (the schema default ``{uid}``).

    The same text as ``str(uuid.uuid4())`` (122 random bits from
    :func:`os.urandom`, version 4, RFC 4122 variant), formatted directly:
    it runs once for every new entity.
    """
    digits = os.urandom(16).hex()
    return (
        digits[:8] + '-' + digits[8:12] + '-4' + digits[13:16] + '-'
        + _VARIANT_DIGITS[digits[16]] + digits[17:20] + '-' + digits[20:]
    )


class Factory(object):
    """Entity class factory: one class per schema."""

    def __init__(self):
        self.logger = logging.getLogger(
            '{0}.{1}'.format(__name__, type(self).__name__)
        )

    def create(self, schema, bases=None):
        """Create and return entity class from *schema*.

        *bases* is a list of base classes for the new class; by default
        :class:`ftrack_api.entity.base.Entity`. Properties whose type the
        factory does not support are skipped (logged at debug level).
        """
        schema_id = schema['id']
        class_name = str(schema_id)
        if not bases:
            bases = [ftrack_api.entity.base.Entity]

        immutable = set(schema.get('immutable') or ())
        computed = set(schema.get('computed') or ())
        attributes = ftrack_api.attribute.Attributes()

        for name, fragment in (schema.get('properties') or {}).items():
            attribute = self._create_attribute(
                class_name, name, fragment,
                mutable=name not in immutable,
                computed=name in computed,
            )
            if attribute is not None:
                attributes.add(attribute)

        namespace = {
            'entity_type': schema_id,
            'attributes': attributes,
            'primary_key_attributes': list(schema.get('primary_key') or ()),
            'default_projections': list(schema.get('default_projections') or ()),
        }
        return ftrack_api.entity.base.DynamicEntityTypeMetaclass(
            class_name, tuple(bases), namespace
        )

    def _create_attribute(self, class_name, name, fragment, mutable, computed):
        if fragment.get('restricted_projection'):
            # Filter-only relations cannot be loaded as values.
            self.logger.debug(
                'Skipping restricted projection %s.%s.', class_name, name
            )
            return None

        default = fragment.get('default', NOT_SET)
        if default == '{uid}':
            default = _generate_uid

        data_type = fragment.get('type')
        if data_type is None:
            reference = fragment.get('$ref')
            if reference is None:
                self.logger.debug(
                    'Skipping %s.%s: neither a type nor a reference.',
                    class_name, name,
                )
                return None
            return self.create_reference_attribute(
                class_name, name, mutable, reference
            )

        if data_type in _SCALAR_TYPES:
            scalar_type = _SCALAR_TYPES[data_type]
            if data_type == 'string' and fragment.get('format') == 'date-time':
                scalar_type = 'datetime'
            return self.create_scalar_attribute(
                class_name, name, mutable, computed, default, scalar_type
            )

        if data_type == 'array':
            return self.create_collection_attribute(class_name, name, mutable)

        if data_type == 'mapped_array':
            reference = (fragment.get('items') or {}).get('$ref')
            if not reference:
                self.logger.debug(
                    'Skipping mapped collection %s.%s without an item type.',
                    class_name, name,
                )
                return None
            return self.create_mapped_collection_attribute(
                class_name, name, mutable, reference
            )

        self.logger.debug(
            'Skipping %s.%s of unsupported type %r.', class_name, name, data_type
        )
        return None

    def create_scalar_attribute(
        self, class_name, name, mutable, computed, default, data_type
    ):
        """Build the attribute for plain value *name* of class *class_name*.

        *mutable* and *computed* (booleans) and *default* come from the
        schema property; *data_type* is its type (``'string'``,
        ``'integer'``, ``'datetime'`` ...). Returns a
        :class:`ftrack_api.attribute.ScalarAttribute`; a subclass may return
        another attribute, or None to leave the property out.
        """
        return ftrack_api.attribute.ScalarAttribute(
            name, data_type=data_type, default_value=default, mutable=mutable,
            computed=computed,
        )

    def create_reference_attribute(self, class_name, name, mutable, reference):
        """Build the attribute for reference *name* of class *class_name*.

        *reference* is the name of the referenced entity type and *mutable*
        tells whether the reference may be changed. Returns a
        :class:`ftrack_api.attribute.ReferenceAttribute` (or what a subclass
        chooses; None leaves the property out).
        """
        return ftrack_api.attribute.ReferenceAttribute(
            name, reference, mutable=mutable
        )

    def create_collection_attribute(self, class_name, name, mutable):
        """Build the attribute for collection *name* of class *class_name*.

        *mutable* tells whether the collection may be changed. Returns a
        :class:`ftrack_api.attribute.CollectionAttribute` (or what a subclass
        chooses; None leaves the property out).
        """
        return ftrack_api.attribute.CollectionAttribute(name, mutable=mutable)

    def create_mapped_collection_attribute(
        self, class_name, name, mutable, reference
    ):
        """Build the attribute for mapped collection *name*, or None.

        *class_name* is the class being built, *mutable* tells whether the
        mapping may be changed and *reference* names the type of its items.
        The base factory supports no mapped collection and returns None
        (the property is left out, with a debug message);
        :class:`StandardFactory` handles metadata and custom attributes.
        """
        self.logger.debug(
            'Mapped collection %s.%s not supported by the base factory.',
            class_name, name,
        )
        return None


def create_metadata(proxy, data):
    """Create a ``Metadata`` entity for a new key of *proxy* and add it.

    *data* holds the ``key`` and ``value``; the parent is the entity owning
    the proxy's collection. Records the creation and the collection update.
    """
    collection = proxy.collection
    owner = collection.entity
    session = owner.session
    metadata = session.create('Metadata', {
        'key': data['key'],
        'value': data['value'],
        'parent_type': owner.entity_type,
        'parent_id': owner['id'],
    })
    collection.append(metadata)
    return metadata


class StandardFactory(Factory):
    """Standard entity class factory.

    Adds the helper base classes (``ProjectSchema``, ``Location``,
    ``AssetVersion``, components, ``Note``, ``Job``, ``User``), the note and
    thumbnail mixins, and metadata / custom attribute mappings.
    """

    def create(self, schema, bases=None):
        """Create and return entity class from *schema*.

        *bases* given by the caller come first, so the caller's classes
        override the standard helpers.
        """
        import ftrack_api.entity.asset_version
        import ftrack_api.entity.component
        import ftrack_api.entity.job
        import ftrack_api.entity.location
        import ftrack_api.entity.note
        import ftrack_api.entity.project_schema
        import ftrack_api.entity.user

        schema_id = schema['id']
        extra = {
            'ProjectSchema': ftrack_api.entity.project_schema.ProjectSchema,
            'Location': ftrack_api.entity.location.Location,
            'AssetVersion': ftrack_api.entity.asset_version.AssetVersion,
            'Note': ftrack_api.entity.note.Note,
            'Job': ftrack_api.entity.job.Job,
            'User': ftrack_api.entity.user.User,
        }.get(schema_id)
        if extra is None and schema_id.endswith('Component'):
            extra = ftrack_api.entity.component.Component

        entity_base = ftrack_api.entity.base.Entity
        given = [base for base in (bases or []) if base is not entity_base]
        ordered = list(given)
        if extra is not None and not any(
            issubclass(base, extra) for base in ordered
        ):
            ordered.append(extra)

        properties = schema.get('properties') or {}
        mixins = []
        if 'notes' in properties:
            mixins.append(ftrack_api.entity.note.CreateNoteMixin)
        if 'thumbnail_id' in properties:
            mixins.append(ftrack_api.entity.component.CreateThumbnailMixin)
        for mixin in mixins:
            if not any(issubclass(base, mixin) for base in ordered):
                ordered.append(mixin)

        if not any(issubclass(base, entity_base) for base in ordered):
            ordered.append(entity_base)

        return super(StandardFactory, self).create(schema, bases=ordered)

    def create_mapped_collection_attribute(
        self, class_name, name, mutable, reference
    ):
        """Build the attribute for mapped collection *name* of *class_name*.

        *reference* names the item type: ``Metadata`` items give a key/value
        mapping that creates metadata for new keys; custom attribute value
        items give a custom attribute mapping. *mutable* tells whether the
        mapping may be changed. Other item types give None (the property is
        left out).
        """
        if reference == 'Metadata':
            return ftrack_api.attribute.KeyValueMappedCollectionAttribute(
                name, create_metadata, 'key', 'value', mutable=mutable
            )
        if reference.endswith('CustomAttributeValue'):
            attribute = ftrack_api.attribute.CustomAttributeCollectionAttribute(
                name, mutable=mutable
            )
            attribute.value_entity_type = reference
            return attribute
        self.logger.debug(
            'Skipping mapped collection %s.%s of %r items.',
            class_name, name, reference,
        )
        return None


def _get_entity_configurations(entity):
    """Return the custom attribute configurations that apply to *entity*."""
    import ftrack_api._session.custom_attributes as _custom_attributes

    return _custom_attributes.applicable_configurations(entity)
