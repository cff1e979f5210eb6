"""Exceptions raised by the ftrack API.

Every exception derives from :class:`Error`, which carries a ``message``
(a :meth:`str.format` template) and a ``details`` mapping the template is
filled from when the exception is rendered with ``str()``.
"""

from __future__ import annotations

import builtins
import collections.abc
import sys


def _format_exc():
    """Return the traceback text of the exception being handled, if any."""
    if sys.exc_info()[0] is None:
        return 'NoneType: None\n'
    import traceback  # only when an exception is being handled

    return traceback.format_exc()


def _rebuild(cls, message, details, traceback_text, args=None):
    """Return an instance of *cls* restored from pickled state."""
    error = cls.__new__(cls)
    error.args = tuple(args) if args is not None else (message,)
    error.message = message
    error.details = details
    error.traceback = traceback_text
    return error


class Error(Exception):
    """Base of every error this package raises, with a message and details."""

    default_message = 'Unspecified error occurred.'

    def __init__(self, message=None, details=None):
        """Initialise exception with *message* and *details*.

        If *message* is None the class's ``default_message`` is used.
        *details* is a mapping of extra information: its keys fill the
        ``{placeholders}`` of the message and give callers more context.
        """
        if message is None:
            message = self.default_message

        self.message = message
        self.details = details if details is not None else {}
        # Kept because errors are often logged far from where they occurred.
        self.traceback = _format_exc()
        # As upstream, Exception.__init__ is not called: ``args`` keeps the
        # positional arguments the exception was constructed with (and the
        # default repr shows them).

    def _render(self):
        """Return the message with the placeholders filled from details.

        As upstream, text values are written as their UTF-8 bytes (so a
        value ``'Foo'`` appears as ``b'Foo'``); scripts match these
        messages. A message whose braces are not placeholders (for instance
        a server message quoting JSON) is returned unformatted rather than
        raising while an error is being reported.
        """
        message = str(self.message)
        try:
            return message.format(**{
                key: value.encode('utf-8') if isinstance(value, str) else value
                for key, value in self._format_details().items()
            })
        except (
            KeyError,
            IndexError,
            ValueError,
            TypeError,
            # This module defines its own AttributeError; the builtin one is
            # what a failing ``{attribute.name}`` lookup raises.
            builtins.AttributeError,
        ):
            return message

    def _format_details(self):
        """Return the mapping the message placeholders are filled from."""
        return self.details

    def __str__(self):
        """Return the formatted message."""
        return self._render()

    def __reduce__(self):
        """Pickle from state: subclass constructors take other arguments."""
        return (
            _rebuild,
            (type(self), self.message, self.details, self.traceback, self.args),
        )


def _split_keywords(kw, **extra_details):
    """Return (message, details) for a subclass constructor.

    *kw* are the keyword arguments the subclass received (``message`` and
    ``details`` are recognised); *extra_details* are merged over a copy of
    the given details. Raise :exc:`TypeError` naming unexpected keywords.
    """
    message = kw.pop('message', None)
    details = dict(kw.pop('details', None) or {})
    if kw:
        raise TypeError(
            'Unexpected keyword argument(s) for exception: {0}.'.format(
                ', '.join(sorted(kw))
            )
        )
    details.update(extra_details)
    return message, details


class AuthenticationError(Error):
    """The server did not accept who the caller claims to be."""

    default_message = 'Authentication error.'


class ServerError(Error):
    """The server answered a request with an error (its text is the message)."""

    default_message = 'Server reported error processing request.'


class ServerCompatibilityError(ServerError):
    """The server is too old or too different for what was asked of it."""

    default_message = 'Server incompatible.'


class NotFoundError(Error):
    """Something looked up by name or identity does not exist."""

    default_message = 'Not found.'


class NotUniqueError(Error):
    """A value that must be unique (a subscriber id, a timer) is already taken."""

    default_message = 'Non-unique value detected.'


class IncorrectResultError(Error):
    """A query gave a number of results the caller did not allow for."""

    default_message = 'Incorrect result detected.'


class NoResultFoundError(IncorrectResultError):
    """A query asked for exactly one result found none."""

    default_message = 'Expected result, but no result was found.'


class MultipleResultsFoundError(IncorrectResultError):
    """A query asked for exactly one result found several."""

    default_message = 'Expected single result, but received multiple results.'


class EntityTypeError(Error):
    """Base of the errors about entity types."""

    default_message = 'Entity type error.'


class UnrecognisedEntityTypeError(EntityTypeError, KeyError):
    """The schema has no entity type of the name given.

    Also a :exc:`KeyError`, which is what upstream's ``Session.get`` raises
    for an unknown type, so handlers written for either keep working.
    """

    __str__ = EntityTypeError.__str__

    default_message = 'Entity type "{entity_type}" not recognised.'

    def __init__(self, entity_type, **kw):
        """Initialise error for unknown *entity_type*.

        Other keyword arguments (*kw*: ``message``, ``details``) are those
        of :class:`Error`.
        """
        super(UnrecognisedEntityTypeError, self).__init__(
            *_split_keywords(kw, entity_type=entity_type)
        )


class OperationError(Error):
    """Base of the errors about recorded operations."""

    default_message = 'Operation error.'


class InvalidStateError(Error):
    """An entity is in a state that does not allow what was asked."""

    default_message = 'Invalid state.'


class InvalidStateTransitionError(InvalidStateError):
    """An entity cannot go from its current state to the one asked for."""

    default_message = (
        'Invalid transition from {current_state!r} to {target_state!r} state '
        'for entity {entity!r}'
    )

    def __init__(self, current_state, target_state, entity, **kw):
        """Initialise error for *entity* moving *current_state* to *target_state*.

        Other keyword arguments (*kw*: ``message``, ``details``) are those
        of :class:`Error`.
        """
        super(InvalidStateTransitionError, self).__init__(*_split_keywords(
            kw,
            current_state=current_state,
            target_state=target_state,
            entity=entity,
        ))


class AttributeError(Error):  # noqa: A001 - documented public name.
    """Base of the errors about entity attributes."""

    default_message = 'Attribute error.'


class ImmutableAttributeError(AttributeError):
    """An attribute the schema marks immutable was given a new value."""

    default_message = (
        'Cannot modify value of immutable {attribute.name!r} attribute.'
    )

    def __init__(self, attribute, **kw):
        """Initialise error for *attribute* (an object with a ``name``).

        Other keyword arguments (*kw*: ``message``, ``details``) are those
        of :class:`Error`.
        """
        super(ImmutableAttributeError, self).__init__(
            *_split_keywords(kw, attribute=attribute)
        )


class CollectionError(Error):
    """Base of the errors about entity collections."""

    default_message = 'Collection error.'

    def __init__(self, collection, **kw):
        """Initialise error for *collection*.

        Other keyword arguments (*kw*: ``message``, ``details``) are those
        of :class:`Error`.
        """
        super(CollectionError, self).__init__(
            *_split_keywords(kw, collection=collection)
        )


class ImmutableCollectionError(CollectionError):
    """A collection that cannot change was changed."""

    default_message = (
        'Cannot modify value of immutable collection {collection}.'
    )


class DuplicateItemInCollectionError(CollectionError):
    """An item was added to a collection that already holds it."""

    default_message = (
        'Item {item} already exists in collection {collection}.'
    )

    def __init__(self, item, collection, **kw):
        """Initialise error for *item* already present in *collection*.

        Other keyword arguments (*kw*: ``message``, ``details``) are those
        of :class:`Error`.
        """
        details = dict(kw.pop('details', None) or {})
        details['item'] = item
        super(DuplicateItemInCollectionError, self).__init__(
            collection, details=details, **kw
        )


class ParseError(Error):
    """Text (an expression, a query) could not be read."""

    default_message = 'Failed to parse.'


class EventHubError(Error):
    """Base of the errors of the event hub."""

    default_message = 'Event hub error occurred.'


class EventHubConnectionError(EventHubError):
    """The event hub could not connect to (or lost) the event server."""

    default_message = 'Event hub is not connected.'


class EventHubPacketError(EventHubError):
    """The event hub received or was asked to send a malformed packet."""

    default_message = 'Invalid packet.'


class PermissionDeniedError(Error):
    """The caller may not do what it asked."""

    default_message = 'Permission denied.'


class LocationError(Error):
    """Base of the errors about locations."""

    default_message = 'Unspecified location error'


class ComponentNotInAnyLocationError(LocationError):
    """No location holds the component asked for."""

    default_message = 'Component not available in any location.'


def _component_details(components, location):
    """Return the details shared by the component-in-location errors."""
    if isinstance(components, (str, bytes)) or not isinstance(
        components, collections.abc.Sequence
    ):
        components = [components]
    else:
        components = list(components)

    return dict(
        components=components,
        formatted_components=', '.join(
            str(component) for component in components
        ),
        location=location,
    )


class _ComponentLocationError(LocationError):
    """Shared construction and rendering of the component-in-location errors."""

    def __init__(self, components, location, **kw):
        """Initialise error for *components* and *location*.

        *components* may be a single component or a sequence of them.
        """
        super(_ComponentLocationError, self).__init__(
            *_split_keywords(kw, **_component_details(components, location))
        )


class ComponentNotInLocationError(_ComponentLocationError):
    """The location does not hold (some of) the components given."""

    default_message = (
        'Component(s) {formatted_components} not found in location {location}.'
    )


class ComponentInLocationError(_ComponentLocationError):
    """The location already holds (some of) the components given."""

    default_message = (
        'Component(s) {formatted_components} already exist in location '
        '{location}.'
    )


class AccessorError(Error):
    """Base of the errors about accessors."""

    default_message = 'Unspecified accessor error'


class _AccessorOperationError(AccessorError):
    """Shared construction of the errors about an operation on a resource."""

    #: Whether *error* is kept in the details (upstream keeps it for failed
    #: operations, not for resource errors).
    _details_include_error = True

    def __init__(
        self, operation='', resource_identifier=None, error=None, **kw
    ):
        """Initialise error for *operation* on *resource_identifier*.

        *error* is the underlying cause (an exception or a text).
        """
        extra = dict(operation=operation, resource_identifier=resource_identifier)
        if self._details_include_error:
            extra['error'] = error
        super(_AccessorOperationError, self).__init__(*_split_keywords(kw, **extra))


class AccessorOperationFailedError(_AccessorOperationError):
    """An accessor operation was attempted and failed."""

    default_message = 'Operation {operation} failed: {error}'


class AccessorUnsupportedOperationError(AccessorOperationFailedError):
    """The accessor cannot do that operation at all."""

    default_message = 'Operation {operation} unsupported.'


class AccessorPermissionDeniedError(AccessorOperationFailedError):
    """The storage refused the operation for lack of rights."""

    default_message = (
        'Cannot {operation} {resource_identifier}. Permission denied.'
    )


class AccessorResourceIdentifierError(AccessorError):
    """A resource identifier is not acceptable to the accessor."""

    default_message = 'Resource identifier is invalid: {resource_identifier}.'

    def __init__(self, resource_identifier, **kw):
        """Initialise error for *resource_identifier*.

        Other keyword arguments (*kw*: ``message``, ``details``) are those
        of :class:`Error`.
        """
        super(AccessorResourceIdentifierError, self).__init__(
            *_split_keywords(kw, resource_identifier=resource_identifier)
        )


class AccessorFilesystemPathError(AccessorResourceIdentifierError):
    """A resource identifier does not make a usable filesystem path."""

    default_message = (
        'Could not determine filesystem path from resource identifier: '
        '{resource_identifier}.'
    )


class AccessorResourceError(_AccessorOperationError):
    """Base of the errors about one resource of an accessor."""

    _details_include_error = False

    default_message = 'Unspecified resource error: {resource_identifier}'


class AccessorResourceNotFoundError(AccessorResourceError):
    """The resource does not exist in the storage."""

    default_message = 'Resource not found: {resource_identifier}'


class AccessorParentResourceNotFoundError(AccessorResourceError):
    """The folder (or other container) meant to hold the resource does not exist."""

    default_message = 'Parent resource is missing: {resource_identifier}'


class AccessorResourceInvalidError(AccessorResourceError):
    """The resource is of the wrong kind (a file where a folder is needed, ...)."""

    default_message = 'Resource invalid: {resource_identifier}'


class AccessorContainerNotEmptyError(AccessorResourceError):
    """A container cannot be removed while it holds resources."""

    default_message = 'Container is not empty: {resource_identifier}'


class StructureError(Error):
    """Base of the errors about structures."""

    default_message = 'Unspecified structure error'


class ConnectionClosedError(Error):
    """The session was used after it was closed."""

    default_message = 'Connection closed.'
