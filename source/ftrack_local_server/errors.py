"""Errors the local server reports to clients.

Every failure of an ``/api`` batch becomes one :class:`ApiError`, which the
HTTP layer turns into the error object of a real ftrack server::

    {"exception": "ValidationError", "content": "...", "error_code": null}

The batch is rolled back before the object is sent (nothing of a failed
batch is applied). In strict mode (``ftrack-strict-api: true``) the object
is sent with :attr:`ApiError.status` as HTTP status, otherwise with 200.

Messages must name what was wrong and the offending value, so a user can act
on them without reading server logs. They never contain braces: the
reference client builds its exception messages with :meth:`str.format`, so a
``{`` in the text would make its ``str(error)`` fail. Entity references are
written ``Type(id)`` and other objects ``(key: value, ...)``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

#: Longest excerpt of an offending value quoted in an error message.
EXCERPT_LENGTH = 200


def excerpt(value: Any) -> str:
    """Return a short, single-line, brace-free representation of *value*.

    JSON for scalars and lists, ``Type(id)`` for an entity reference
    (``{"__entity_type__": ..., ...}``), ``(key: value, ...)`` for other
    objects; cut to :data:`EXCERPT_LENGTH` characters.
    """
    try:
        text = _brace_free(value, 0)
    except (TypeError, ValueError, RecursionError):
        text = without_braces(repr(value))
    if len(text) > EXCERPT_LENGTH:
        text = text[:EXCERPT_LENGTH - 3] + '...'
    return text


def _brace_free(value: Any, depth: int) -> str:
    if depth > 20:
        return '...'
    if isinstance(value, dict):
        if isinstance(value.get('__entity_type__'), str):
            keys = [
                str(item) for key, item in value.items() if key != '__entity_type__'
            ]
            return without_braces('{0}({1})'.format(
                value['__entity_type__'], ', '.join(keys)))
        return '(' + ', '.join(
            '{0}: {1}'.format(json.dumps(str(key)), _brace_free(item, depth + 1))
            for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))
        ) + ')'
    if isinstance(value, (list, tuple)):
        return '[' + ', '.join(_brace_free(item, depth + 1) for item in value) + ']'
    return without_braces(json.dumps(value, default=repr))


def without_braces(text: str) -> str:
    """Return *text* with ``{`` and ``}`` written as ``(`` and ``)``."""
    return text.replace('{', '(').replace('}', ')')


class ApiError(Exception):
    """An error answered to the client as an ftrack error object.

    *exception* is the exception name the client sees (``ValidationError``,
    ``PermissionError``, ...), *content* the human-readable message,
    *error_code* an optional machine-readable code and *status* the HTTP
    status used in strict mode.
    """

    exception = 'ServerError'
    status = 500

    def __init__(
        self,
        content: str,
        exception: Optional[str] = None,
        error_code: Optional[str] = None,
        status: Optional[int] = None,
    ) -> None:
        # Whatever built it, the text the client formats has no braces.
        content = without_braces(str(content))
        super().__init__(content)
        self.content = content
        if exception is not None:
            self.exception = exception
        self.error_code = error_code
        if status is not None:
            self.status = status

    def to_json(self) -> Dict[str, Any]:
        """Return the error object sent to the client."""
        return {
            'exception': self.exception,
            'content': self.content,
            'error_code': self.error_code,
        }

    def __repr__(self) -> str:
        return '{0}({1}: {2!r})'.format(
            type(self).__name__, self.exception, self.content
        )


class ValidationError(ApiError):
    """Invalid input: bad value, unknown attribute, missing required value."""

    exception = 'ValidationError'
    status = 422


class QueryParseError(ApiError):
    """A query expression that cannot be parsed; content says where."""

    exception = 'ParseError'
    status = 400


class NotFoundError(ApiError):
    """A referenced entity does not exist."""

    exception = 'NotFoundError'
    status = 404


class DuplicateEntryError(ApiError):
    """An entity with the same identity or unique value already exists."""

    exception = 'DuplicateEntryError'
    status = 409


class PermissionError_(ApiError):
    """The operation is not allowed (e.g. changing an immutable attribute)."""

    exception = 'PermissionError'
    status = 403


class InvalidCredentialsError(ApiError):
    """Unknown user or wrong API key."""

    exception = 'InvalidCredentialsError'
    status = 401


class UnknownActionError(ApiError):
    """An action name the server does not implement."""

    exception = 'ServerError'
    status = 400

    def __init__(self, action: Any) -> None:
        super().__init__("Invalid action u'{0}'".format(action))
        self.action = action
