"""Tests for :mod:`ftrack_api.exception`."""

import pickle

import pytest

import ftrack_api.exception as exception


SIMPLE_CLASSES = [
    (exception.Error, Exception, 'Unspecified error occurred.'),
    (exception.AuthenticationError, exception.Error, 'Authentication error.'),
    (
        exception.ServerError,
        exception.Error,
        'Server reported error processing request.',
    ),
    (
        exception.ServerCompatibilityError,
        exception.ServerError,
        'Server incompatible.',
    ),
    (exception.NotFoundError, exception.Error, 'Not found.'),
    (exception.NotUniqueError, exception.Error, 'Non-unique value detected.'),
    (
        exception.IncorrectResultError,
        exception.Error,
        'Incorrect result detected.',
    ),
    (
        exception.NoResultFoundError,
        exception.IncorrectResultError,
        'Expected result, but no result was found.',
    ),
    (
        exception.MultipleResultsFoundError,
        exception.IncorrectResultError,
        'Expected single result, but received multiple results.',
    ),
    (exception.EntityTypeError, exception.Error, 'Entity type error.'),
    (exception.OperationError, exception.Error, 'Operation error.'),
    (exception.InvalidStateError, exception.Error, 'Invalid state.'),
    (exception.AttributeError, exception.Error, 'Attribute error.'),
    (exception.ParseError, exception.Error, 'Failed to parse.'),
    (exception.EventHubError, exception.Error, 'Event hub error occurred.'),
    (
        exception.EventHubConnectionError,
        exception.EventHubError,
        'Event hub is not connected.',
    ),
    (exception.EventHubPacketError, exception.EventHubError, 'Invalid packet.'),
    (exception.PermissionDeniedError, exception.Error, 'Permission denied.'),
    (exception.LocationError, exception.Error, 'Unspecified location error'),
    (
        exception.ComponentNotInAnyLocationError,
        exception.LocationError,
        'Component not available in any location.',
    ),
    (exception.AccessorError, exception.Error, 'Unspecified accessor error'),
    (exception.StructureError, exception.Error, 'Unspecified structure error'),
    (exception.ConnectionClosedError, exception.Error, 'Connection closed.'),
]


@pytest.mark.parametrize(
    'cls, base, message', SIMPLE_CLASSES, ids=[c[0].__name__ for c in SIMPLE_CLASSES]
)
def test_simple_class_default_message_and_base(cls, base, message):
    """Each plain class has its documented base and default message."""
    assert issubclass(cls, base)
    assert cls.default_message == message
    error = cls()
    assert str(error) == message
    assert error.message == message
    assert error.details == {}


def test_error_keeps_message_and_details():
    """A custom message is formatted with details; both are kept.

    As upstream: text values are written as bytes reprs, and ``args`` (so
    the repr) are the arguments the error was made with.
    """
    details = {'name': 'shot_010', 'count': 3}
    error = exception.Error('Bad name {name} ({count}).', details=details)
    assert error.message == 'Bad name {name} ({count}).'
    assert error.details is details
    assert str(error) == "Bad name b'shot_010' (3)."
    assert error.args == ('Bad name {name} ({count}).',)
    assert repr(error) == "Error('Bad name {name} ({count}).')"


def test_error_with_literal_braces_is_not_formatted():
    """A message with braces that are not placeholders stays as given."""
    message = 'Server reported error: ValidationError({"a": 1} {0})'
    error = exception.ServerError(message)
    assert str(error) == message


def test_error_records_traceback_of_handled_exception():
    """The traceback text of the exception being handled is recorded."""
    try:
        raise ValueError('root cause')
    except ValueError:
        error = exception.Error()
    assert 'root cause' in error.traceback


def test_unrecognised_entity_type_error():
    """The entity type fills the message."""
    error = exception.UnrecognisedEntityTypeError('Shoot')
    assert isinstance(error, exception.EntityTypeError)
    assert str(error) == 'Entity type "b\'Shoot\'" not recognised.'
    assert error.details['entity_type'] == 'Shoot'
    assert error.args == ('Shoot',)


def test_invalid_state_transition_error():
    """States and entity are shown by repr."""
    error = exception.InvalidStateTransitionError(
        'created', 'modified', 'entity-1'
    )
    assert isinstance(error, exception.InvalidStateError)
    assert str(error) == (
        "Invalid transition from b'created' to b'modified' state for entity "
        "b'entity-1'"
    )


class _Attribute(object):
    """Stand-in attribute with a name."""

    def __init__(self, name):
        self.name = name


def test_immutable_attribute_error():
    """The attribute's name fills the message."""
    error = exception.ImmutableAttributeError(_Attribute('id'))
    assert isinstance(error, exception.AttributeError)
    assert str(error) == "Cannot modify value of immutable 'id' attribute."


def test_collection_errors():
    """Collection errors name the collection and item."""
    error = exception.CollectionError(['a'])
    assert str(error) == 'Collection error.'
    assert error.details['collection'] == ['a']

    error = exception.ImmutableCollectionError(['a'])
    assert isinstance(error, exception.CollectionError)
    assert str(error) == "Cannot modify value of immutable collection ['a']."

    error = exception.DuplicateItemInCollectionError('a', ['a'])
    assert isinstance(error, exception.CollectionError)
    assert str(error) == "Item b'a' already exists in collection ['a']."
    assert error.details == {'item': 'a', 'collection': ['a']}


def test_subclass_accepts_message_and_details_keywords():
    """Keyword message and details are honoured by argument classes."""
    error = exception.UnrecognisedEntityTypeError(
        'Foo', message='No {entity_type} for {who}', details={'who': 'me'}
    )
    assert str(error) == "No b'Foo' for b'me'"


def test_subclass_rejects_unknown_keyword():
    """An unknown keyword raises a TypeError naming it."""
    with pytest.raises(TypeError) as error:
        exception.UnrecognisedEntityTypeError('Foo', colour='red')
    assert 'colour' in str(error.value)


class _Entity(dict):
    """Stand-in entity with item access."""


def test_component_not_in_location_error():
    """As upstream: components by str() (as one text), the location by str()."""
    components = [_Entity(id='c1'), _Entity(id='c2')]
    location = _Entity(name='studio.disk')
    error = exception.ComponentNotInLocationError(components, location)
    assert isinstance(error, exception.LocationError)
    formatted = '{0}, {1}'.format(components[0], components[1])
    assert str(error) == (
        "Component(s) {0!r} not found in location {1}.".format(
            formatted.encode('utf-8'), location)
    )
    assert error.details['components'] == components
    assert error.details['location'] is location
    assert error.details['formatted_components'] == formatted


def test_component_in_location_error_single_component():
    """A single component is accepted as well as a sequence."""
    component = _Entity(id='c1')
    error = exception.ComponentInLocationError(component, 'loc')
    assert isinstance(error, exception.LocationError)
    assert str(error) == "Component(s) {0!r} already exist in location b'loc'.".format(
        str(component).encode('utf-8'))
    assert error.details['components'] == [{'id': 'c1'}]


@pytest.mark.parametrize(
    'cls, base, expected',
    [
        (
            exception.AccessorOperationFailedError,
            exception.AccessorError,
            "Operation b'open' failed: b'disk full'",
        ),
        (
            exception.AccessorUnsupportedOperationError,
            exception.AccessorOperationFailedError,
            "Operation b'open' unsupported.",
        ),
        (
            exception.AccessorPermissionDeniedError,
            exception.AccessorOperationFailedError,
            "Cannot b'open' b'a/b.txt'. Permission denied.",
        ),
        (
            exception.AccessorResourceError,
            exception.AccessorError,
            "Unspecified resource error: b'a/b.txt'",
        ),
        (
            exception.AccessorResourceNotFoundError,
            exception.AccessorResourceError,
            "Resource not found: b'a/b.txt'",
        ),
        (
            exception.AccessorParentResourceNotFoundError,
            exception.AccessorResourceError,
            "Parent resource is missing: b'a/b.txt'",
        ),
        (
            exception.AccessorResourceInvalidError,
            exception.AccessorResourceError,
            "Resource invalid: b'a/b.txt'",
        ),
        (
            exception.AccessorContainerNotEmptyError,
            exception.AccessorResourceError,
            "Container is not empty: b'a/b.txt'",
        ),
    ],
)
def test_accessor_operation_errors(cls, base, expected):
    """Operation, resource identifier and error fill the messages."""
    assert issubclass(cls, base)
    error = cls(operation='open', resource_identifier='a/b.txt', error='disk full')
    assert str(error) == expected
    assert error.details['operation'] == 'open'
    assert error.details['resource_identifier'] == 'a/b.txt'
    # Upstream keeps the cause for failed operations, not for resource errors.
    if issubclass(cls, exception.AccessorOperationFailedError):
        assert error.details['error'] == 'disk full'
    else:
        assert 'error' not in error.details


def test_accessor_operation_error_defaults():
    """Arguments default to an empty operation and no identifier."""
    error = exception.AccessorOperationFailedError()
    assert str(error) == "Operation b'' failed: None"


def test_accessor_resource_identifier_errors():
    """Resource identifier errors name the identifier."""
    error = exception.AccessorResourceIdentifierError('x')
    assert isinstance(error, exception.AccessorError)
    assert str(error) == "Resource identifier is invalid: b'x'."

    error = exception.AccessorFilesystemPathError('x')
    assert isinstance(error, exception.AccessorResourceIdentifierError)
    assert str(error) == (
        "Could not determine filesystem path from resource identifier: b'x'."
    )


@pytest.mark.parametrize(
    'error',
    [
        exception.ServerError('boom'),
        exception.UnrecognisedEntityTypeError('Foo'),
        exception.AccessorResourceNotFoundError(resource_identifier='a'),
        exception.ComponentNotInLocationError(['c1'], 'loc'),
    ],
)
def test_errors_pickle(error):
    """Errors survive pickling with their class, message and details."""
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert str(restored) == str(error)
    assert restored.details == error.details


def test_errors_are_raisable_and_catchable_by_base():
    """Raising a subclass is caught by its documented base."""
    with pytest.raises(exception.IncorrectResultError):
        raise exception.NoResultFoundError()


def test_placeholder_lookup_failure_falls_back_to_template():
    """A detail lacking an attribute the template reads does not raise."""
    error = exception.ImmutableAttributeError('not-an-attribute-object')
    assert str(error) == exception.ImmutableAttributeError.default_message
