"""Registry of ``/api`` actions.

Each module of this package handles one family of actions and registers its
handlers with :func:`action`::

    @action('query')
    def query(operation, context):
        ...

A handler receives the operation mapping sent by the client and the
:class:`ftrack_local_server.context.RequestContext` of the batch, and returns
the JSON-serialisable result for that operation. It raises
:class:`ftrack_local_server.errors.ApiError` (or a subclass) on bad input;
the whole batch is then rolled back.

Modules listed in :data:`MODULES` are imported by :func:`load_all`, which the
application calls once at start-up.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict

Handler = Callable[[Dict[str, Any], Any], Any]

#: Action name -> handler.
ACTIONS: Dict[str, Handler] = {}

#: Modules (relative to this package) that register actions.
MODULES = ('info', 'entity', 'query', 'files', 'media', 'widgets', 'invites', 'admin', 'search')


def action(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of action *name*."""

    def decorator(function: Handler) -> Handler:
        if name in ACTIONS and ACTIONS[name] is not function:
            raise ValueError('Action {0!r} registered twice.'.format(name))
        ACTIONS[name] = function
        return function

    return decorator


def required_string(operation: Dict[str, Any], name: str, action_name: str) -> str:
    """Return the non-empty string *name* of *operation* (an action *action_name*).

    Raise :class:`~ftrack_local_server.errors.ValidationError` naming the
    action, the key and the value given instead.
    """
    from .. import errors
    
    value = operation.get(name)
    if not isinstance(value, str) or not value:
        raise errors.ValidationError(
            '{0} needs a "{1}" string, got {2}.'.format(action_name, name, errors.excerpt(value)))
    return value


def base_url_of(context: Any, action_name: str) -> str:
    """Return the address of *context*'s server, without a trailing slash.

    Raise :class:`~ftrack_local_server.errors.ApiError` naming the action
    *action_name* while the server does not know it yet (before its socket
    is bound, e.g. while seeding a database).
    """
    from .. import errors

    base_url = getattr(context.server, 'base_url', None)
    if not base_url:
        raise errors.ApiError('{0}: the server does not know its own address yet.'.format(action_name))
    return base_url.rstrip('/')


def load_all() -> Dict[str, Handler]:
    """Import every module of :data:`MODULES` and return :data:`ACTIONS`."""
    for module in MODULES:
        importlib.import_module('{0}.{1}'.format(__name__, module))
    return ACTIONS
