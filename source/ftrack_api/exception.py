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
    """ftrack specific error."""

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
    """Raise when an authentication error occurs."""

    default_message = 'Authentication error.'


class ServerError(Error):
    """Raise when the server reports an error."""

    default_message = 'Server reported error processing request.'


class ServerCompatibilityError(ServerError):
    """Raise when server appears incompatible."""

    default_message = 'Server incompatible.'


class NotFoundError(Error):
    """Raise when something that should exist is not found."""

    default_message = 'Not found.'


class NotUniqueError(Error):
    """Raise when unique value required and duplicate detected."""

    default_message = 'Non-unique value detected.'


class IncorrectResultError(Error):
    """Raise when a result is incorrect."""

    default_message = 'Incorrect result detected.'


class NoResultFoundError(IncorrectResultError):
    """Raise when a result was expected but no result was found."""

    default_message = 'Expected result, but no result was found.'


class MultipleResultsFoundError(IncorrectResultError):
    """Raise when a single result expected, but multiple results found."""

    default_message = 'Expected single result, but received multiple results.'


class EntityTypeError(Error):
    """Raise when an entity type error occurs."""

    default_message = 'Entity type error.'


class UnrecognisedEntityTypeError(EntityTypeError, KeyError):
    """Raise when an unrecognised entity type detected.

    Also a :exc:`KeyError`, which is what upstream's ``Session.get`` raises
    for an unknown type, so handlers written for either keep working.
    """

    __str__ = EntityTypeError.__str__

    default_message = 'Entity type "{entity_type}" not recognised.'

    def __init__(self, entity_type, **kw):
        """Initialise error for unknown *entity_type*."""
        super(UnrecognisedEntityTypeError, self).__init__(
            *_split_keywords(kw, entity_type=entity_type)
        )


class OperationError(Error):
    """Raise when an operation error occurs."""

    default_message = 'Operation error.'


class InvalidStateError(Error):
    """Raise when an invalid state detected."""

    default_message = 'Invalid state.'


class InvalidStateTransitionError(InvalidStateError):
    """Raise when an invalid state transition detected."""

    default_message = (
        'Invalid transition from {current_state!r} to {target_state!r} state '
        'for entity {entity!r}'
    )

    def __init__(self, current_state, target_state, entity, **kw):
        """Initialise error for *entity* moving *current_state* to *target_state*."""
        super(InvalidStateTransitionError, self).__init__(*_split_keywords(
            kw,
            current_state=current_state,
            target_state=target_state,
            entity=entity,
        ))


class AttributeError(Error):  # noqa: A001 - documented public name.
    """Raise when an error related to an attribute occurs."""

    default_message = 'Attribute error.'


class ImmutableAttributeError(AttributeError):
    """Raise when modification of immutable attribute attempted."""

    default_message = (
        'Cannot modify value of immutable {attribute.name!r} attribute.'
    )

    def __init__(self, attribute, **kw):
        """Initialise error for *attribute* (an object with a ``name``)."""
        super(ImmutableAttributeError, self).__init__(
            *_split_keywords(kw, attribute=attribute)
        )


class CollectionError(Error):
    """Raise when an error related to collections occurs."""

    default_message = 'Collection error.'

    def __init__(self, collection, **kw):
        """Initialise error for *collection*."""
        super(CollectionError, self).__init__(
            *_split_keywords(kw, collection=collection)
        )


class ImmutableCollectionError(CollectionError):
    """Raise when modification of immutable collection attempted."""

    default_message = (
        'Cannot modify value of immutable collection {collection}.'
    )


class DuplicateItemInCollectionError(CollectionError):
    """Raise when duplicate item in collection detected."""

    default_message = (
        'Item {item} already exists in collection {collection}.'
    )

    def __init__(self, item, collection, **kw):
        """Initialise error for *item* already present in *collection*."""
        details = dict(kw.pop('details', None) or {})
        details['item'] = item
        super(DuplicateItemInCollectionError, self).__init__(
            collection, details=details, **kw
        )


class ParseError(Error):
    """Raise when a parsing error occurs."""

    default_message = 'Failed to parse.'


class EventHubError(Error):
    """Raise when issues related to event hub occur."""

    default_message = 'Event hub error occurred.'


class EventHubConnectionError(EventHubError):
    """Raise when event hub encounters connection problem."""

    default_message = 'Event hub is not connected.'


class EventHubPacketError(EventHubError):
    """Raise when event hub encounters an issue with a packet."""

    default_message = 'Invalid packet.'


class PermissionDeniedError(Error):
    """Raise when permission is denied."""

    default_message = 'Permission denied.'


class LocationError(Error):
    """Base for errors associated with locations."""

    default_message = 'Unspecified location error'


class ComponentNotInAnyLocationError(LocationError):
    """Raise when component not available in any location."""

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
    """Raise when component(s) not in location."""

    default_message = (
        'Component(s) {formatted_components} not found in location {location}.'
    )


class ComponentInLocationError(_ComponentLocationError):
    """Raise when component(s) already exists in location."""

    default_message = (
        'Component(s) {formatted_components} already exist in location '
        '{location}.'
    )


class AccessorError(Error):
    """Base for errors associated with accessors."""

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
    """Base for failed operations on accessors."""

    default_message = 'Operation {operation} failed: {error}'


class AccessorUnsupportedOperationError(AccessorOperationFailedError):
    """Raise when operation is unsupported."""

    default_message = 'Operation {operation} unsupported.'


class AccessorPermissionDeniedError(AccessorOperationFailedError):
    """Raise when permission denied."""

    default_message = (
        'Cannot {operation} {resource_identifier}. Permission denied.'
    )


class AccessorResourceIdentifierError(AccessorError):
    """Raise when a error related to a resource_identifier occurs."""

    default_message = 'Resource identifier is invalid: {resource_identifier}.'

    def __init__(self, resource_identifier, **kw):
        """Initialise error for *resource_identifier*."""
        super(AccessorResourceIdentifierError, self).__init__(
            *_split_keywords(kw, resource_identifier=resource_identifier)
        )


class AccessorFilesystemPathError(AccessorResourceIdentifierError):
    """Raise when a error related to an accessor filesystem path occurs."""

    default_message = (
        'Could not determine filesystem path from resource identifier: '
        '{resource_identifier}.'
    )


class AccessorResourceError(_AccessorOperationError):
    """Base for errors associated with specific resource."""

    _details_include_error = False

    default_message = 'Unspecified resource error: {resource_identifier}'


class AccessorResourceNotFoundError(AccessorResourceError):
    """Raise when a required resource is not found."""

    default_message = 'Resource not found: {resource_identifier}'


class AccessorParentResourceNotFoundError(AccessorResourceError):
    """Raise when a parent resource (such as directory) is not found."""

    default_message = 'Parent resource is missing: {resource_identifier}'


class AccessorResourceInvalidError(AccessorResourceError):
    """Raise when a resource is not the right type."""

    default_message = 'Resource invalid: {resource_identifier}'


class AccessorContainerNotEmptyError(AccessorResourceError):
    """Raise when container is not empty."""

    default_message = 'Container is not empty: {resource_identifier}'


class StructureError(Error):
    """Base for errors associated with structures."""

    default_message = 'Unspecified structure error'


class ConnectionClosedError(Error):
    """Raise when attempt to use closed connection detected."""

    default_message = 'Connection closed.'
