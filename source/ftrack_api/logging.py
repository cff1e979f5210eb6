"""Logging helpers for the ftrack API."""

from __future__ import annotations

import functools
import warnings


class LazyLogMessage(object):
    """A log message formatted only when a handler renders it.

    Useful when building the message is costly and the record may well be
    filtered out::

        logger.debug(LazyLogMessage('Loaded {0} entities: {1}', count, items))

    *message* is a :meth:`str.format` template filled with *args* and
    *kwargs* each time the object is converted with ``str()``.
    """

    def __init__(self, message, *args, **kwargs):
        """Initialise with *message* template and its *args* and *kwargs*."""
        self.message = message
        self.args = args
        self.kwargs = kwargs

    def __str__(self):
        """Return the formatted message."""
        return self.message.format(*self.args, **self.kwargs)

    def __repr__(self):
        """Return a representation showing the unformatted template."""
        return '<{0} {1!r}>'.format(type(self).__name__, self.message)


def deprecation_warning(message):
    """Return a decorator that marks a function as deprecated.

    Each call of the decorated function issues a
    :exc:`PendingDeprecationWarning` with *message* (shown only where the
    warning filters let it through, as Python does by default for that
    category), then runs the function. The wrapper keeps the function's
    name and docstring.
    """

    def decorator(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            warnings.warn(message, PendingDeprecationWarning)
            return function(*args, **kwargs)

        return wrapper

    return decorator
