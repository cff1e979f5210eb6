"""Running one ``/api`` batch: validation, one transaction, results.

A batch is a JSON list of operation objects, each with a string
``action``. :func:`run_batch` runs the operations in order inside one store
transaction: either every operation succeeds and the list of results is
returned, or the transaction is rolled back and one
:class:`~ftrack_local_server.errors.ApiError` is raised. After a commit that
changed data the event server (if any) is told, so it can publish
``ftrack.update``.

The same path serves clients and the server itself (seed data, fixture
files, the command line), so everything written to the database goes
through the same actions and rules.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import actions as actions_registry
from . import auth, errors, limits
from .context import RequestContext

logger = logging.getLogger(__name__)

#: The user the server acts as when it writes on its own behalf (seed data,
#: command line) before any real user exists.
SYSTEM_USER: Dict[str, Any] = {
    'id': None,
    'username': 'ftrack-local-server',
    'first_name': 'ftrack',
    'last_name': 'local server',
}


#: Actions that never change data: a batch of only these runs on a read
#: connection, in parallel with the writer.
READ_ONLY_ACTIONS = frozenset(['query', 'query_schemas', 'query_server_information'])


def prepare_batch(state: Any, body: bytes) -> Any:
    """Return ``(operations, read_only)`` for the request *body* of the server *state*.

    Parses and checks the batch (:func:`parse_batch`, then the limits of
    :func:`ftrack_local_server.limits.check_batch`); *read_only* tells
    whether every action is in :data:`READ_ONLY_ACTIONS`. Raise
    :class:`~ftrack_local_server.errors.ValidationError` as they do.
    """
    options = state.config.options
    operations = parse_batch(
        body, max_depth=int(limits.option(options, 'max_json_depth')))
    limits.check_batch(operations, options)
    read_only = bool(operations) and all(
        operation['action'] in READ_ONLY_ACTIONS for operation in operations)
    return operations, read_only


def parse_batch(body: bytes, source: str = 'request body',
                max_depth: int = limits.DEFAULTS['max_json_depth']) -> List[Dict[str, Any]]:
    """Decode *body* (UTF-8 JSON bytes) into a validated list of operations.

    *source* names where the body came from in error messages. Raise
    :class:`~ftrack_local_server.errors.ValidationError` naming the problem
    (not UTF-8, malformed JSON with line and column, not a list, an
    operation that is not an object or has no string ``action``) and the
    offending value or index, lists and objects nested deeper than
    *max_depth*).
    """
    try:
        text = body.decode('utf-8')
    except UnicodeDecodeError as error:
        raise errors.ValidationError(
            'The {0} is not valid UTF-8 text: byte {1} at position {2} cannot '
            'be decoded.'.format(source, errors.excerpt(body[error.start:error.start + 1].hex()), error.start)
        )
    if not text.strip():
        raise errors.ValidationError(
            'The {0} is empty: expected a JSON list of operations, e.g. '
            '[{{"action": "query_server_information"}}].'.format(source)
        )
    try:
        value = limits.loads(text, max_depth, source)
    except errors.ApiError:
        raise
    except ValueError as error:
        raise errors.ValidationError(
            'The {0} is not valid JSON: {1} (line {2}, column {3}) in {4}.'.format(
                source,
                getattr(error, 'msg', str(error)),
                getattr(error, 'lineno', '?'),
                getattr(error, 'colno', '?'),
                errors.excerpt(text),
            )
        )
    return validate_operations(value, source)


def validate_operations(value: Any, source: str = 'request body') -> List[Dict[str, Any]]:
    """Return *value* if it is a list of operations, else raise.

    Every item must be a JSON object with a non-empty string ``action``;
    other keys are left to the action (unknown ones, such as ``metadata``,
    are ignored). Raise :class:`~ftrack_local_server.errors.ValidationError`
    naming *source*, the offending index and value.
    """
    if not isinstance(value, list):
        raise errors.ValidationError(
            'The {0} must be a JSON list of operations, got {1}: {2}.'.format(
                source, _json_type_name(value), errors.excerpt(value)
            )
        )
    for index, operation in enumerate(value):
        if not isinstance(operation, dict):
            raise errors.ValidationError(
                'Operation {0} of the {1} must be a JSON object, got {2}: '
                '{3}.'.format(index, source, _json_type_name(operation), errors.excerpt(operation))
            )
        if 'action' not in operation:
            raise errors.ValidationError(
                'Operation {0} of the {1} has no "action" key: {2}.'.format(
                    index, source, errors.excerpt(operation)
                )
            )
        name = operation['action']
        if not isinstance(name, str) or not name:
            raise errors.ValidationError(
                'Operation {0} of the {1} has an invalid "action" {2}: it must '
                'be a non-empty string.'.format(index, source, errors.excerpt(name))
            )
    return value


def _json_type_name(value: Any) -> str:
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, dict):
        return 'an object'
    return type(value).__name__


def run_batch(
    state: Any,
    operations: Sequence[Dict[str, Any]],
    user: Dict[str, Any],
    client_token: Optional[str] = None,
    push_token: Optional[str] = None,
    strict: bool = False,
    encode: bool = False,
    read_only: bool = False,
    remember: Optional[Callable[[Any, str], None]] = None,
) -> Any:
    """Run *operations* in order as one transaction and return the results.

    *state* is the :class:`~ftrack_local_server.state.ServerState`;
    *operations* a list already checked by :func:`validate_operations`;
    *user* the authenticated user mapping; *client_token*, *push_token* and
    *strict* come from the request headers. With *encode* the results are
    returned as JSON text, serialised before the commit so that a result
    that cannot be sent rolls the batch back instead of losing the answer;
    non-finite numbers (overflowing sums) are sent as null. With
    *read_only* (every action only reads) the batch runs in a read
    transaction (:meth:`~ftrack_local_server.store.Store.read_transaction`).
    *remember* is called as ``remember(tx, text)`` with the encoded results
    before the commit, inside the transaction. The batch is rolled back
    past the ``batch_time_limit`` option.

    Raise :class:`~ftrack_local_server.errors.ApiError` (the batch is then
    rolled back, nothing is applied): the action's own error,
    :class:`~ftrack_local_server.errors.UnknownActionError` for an action
    the server does not implement, or a ``ServerError`` naming the
    operation index and action for any unexpected failure (logged with its
    traceback).
    """
    store = state.store
    with (store.read_transaction() if read_only else store.transaction()) as tx:
        limits.start_clock(tx, state.config.options)
        context = RequestContext(
            server=state,
            tx=tx,
            user=user,
            client_token=client_token,
            push_token=push_token,
            strict=strict,
        )
        results = execute_operations(context, operations)
        finish_batch(context)
        limits.check_clock(tx)
        users_changed = auth.apply_user_changes(tx, context.changes)
        if encode:
            try:
                # NaN / Infinity are not JSON: a client could not read them.
                try:
                    results = json.dumps(results, allow_nan=False)
                except ValueError:
                    results = json.dumps(limits.finite(results), allow_nan=False)
            except (TypeError, ValueError) as error:
                logger.exception('Could not serialise the results of a batch.')
                raise errors.ApiError(
                    'The server could not serialise the results of the batch '
                    '({0}). Nothing of the batch was applied.'.format(error)
                )
            if remember is not None:
                remember(tx, results)
    if users_changed:
        state.credentials.invalidate()
    if context.changes:
        _publish_changes(state, context)
    return results


def serve_request(
    state: Any,
    body: bytes,
    username: Optional[str],
    api_key: Optional[str],
    client_token: Optional[str] = None,
    push_token: Optional[str] = None,
    strict: bool = False,
) -> str:
    """Serve one ``/api`` request and return the JSON text of its results.

    Checks the credentials *username* / *api_key* first (so nothing about
    the body is revealed to an unknown caller), then parses *body* and runs
    the batch. Raise :class:`~ftrack_local_server.errors.ApiError`:
    ``InvalidCredentialsError``, ``ValidationError`` for a malformed body,
    or the batch's own error.
    """
    user = auth.check_credentials(state, username, api_key)
    operations, read_only = prepare_batch(state, body)
    logger.debug(
        'Batch of %d operation(s) from %s: %s',
        len(operations),
        user['username'],
        ', '.join(sorted({operation['action'] for operation in operations})),
    )
    return run_batch(
        state,
        operations,
        user,
        client_token=client_token,
        push_token=push_token,
        strict=strict,
        encode=True,
        read_only=read_only,
    )


def execute_operations(
    context: RequestContext,
    operations: Sequence[Dict[str, Any]],
    describe: Optional[Callable[[int], str]] = None,
) -> List[Any]:
    """Run *operations* in order within *context* and return their results.

    The caller owns the transaction (``context.tx``) and rolls it back on
    error. *describe* maps an operation index to a phrase locating it (for
    example a fixture file and position); it prefixes error messages.
    Raise :class:`~ftrack_local_server.errors.ApiError` as :func:`run_batch`.
    """
    handlers = actions_registry.ACTIONS
    results = []
    for index, operation in enumerate(operations):
        name = operation['action']
        handler = handlers.get(name)
        try:
            limits.check_clock(context.tx, index)
            if handler is None:
                raise errors.UnknownActionError(name)
            results.append(handler(operation, context))
        except errors.ApiError as error:
            if describe is not None:
                error.content = '{0}: {1}'.format(describe(index), error.content)
                error.args = (error.content,)
            raise
        except Exception as error:
            translated = limits.translate(error, context.tx, index, name)
            if translated is not None:
                raise translated
            logger.exception(
                'Unexpected failure in operation %d (action %r).', index, name
            )
            location = describe(index) if describe is not None else 'Operation {0}'.format(index)
            raise errors.ApiError(
                '{0} (action "{1}") failed with an unexpected server error: '
                '{2}: {3}. Nothing of the batch was applied.'.format(
                    location, name, type(error).__name__, error
                )
            )
    return results


def finish_batch(context: RequestContext) -> None:
    """Run the end-of-batch checks of the action modules, before commit.

    An action module may define ``finish_batch(context)``: it is called once
    after the last operation of a batch (for example to check what a later
    operation of the batch could still have fixed, such as a typed context
    given its parent by a collection append) and may raise
    :class:`~ftrack_local_server.errors.ApiError`, which rolls the batch back.
    Whoever owns the transaction calls this before leaving it.
    """
    for name in actions_registry.MODULES:
        module = sys.modules.get('{0}.{1}'.format(actions_registry.__name__, name))
        hook = getattr(module, 'finish_batch', None)
        if hook is None:
            continue
        try:
            hook(context)
        except errors.ApiError:
            raise
        except Exception as error:
            logger.exception('Unexpected failure at the end of a batch (%s).', name)
            raise errors.ApiError(
                'The end-of-batch checks failed with an unexpected server '
                'error: {0}: {1}. Nothing of the batch was applied.'.format(
                    type(error).__name__, error
                )
            )


def _publish_changes(state: Any, context: RequestContext) -> None:
    event_server = state.event_server
    if event_server is None:
        return
    try:
        event_server.publish_update(context)
    except Exception:
        # The batch is committed; a failure to notify listeners must not
        # turn a successful write into an error for the client.
        logger.exception('Could not publish the changes of a committed batch.')


def query_entities(state: Any, tx: Any, expression: str) -> List[Dict[str, Any]]:
    """Return the entities the query *expression* selects, as sent on the wire.

    Runs the ``query`` action inside the open transaction *tx* (so it sees
    the batch's own writes) as :data:`SYSTEM_USER`. Raise
    :class:`~ftrack_local_server.errors.ApiError` if the query fails or the
    ``query`` action is not available.
    """
    handler = actions_registry.ACTIONS.get('query')
    if handler is None:
        raise errors.UnknownActionError('query')
    context = RequestContext(server=state, tx=tx, user=SYSTEM_USER)
    result = handler({'action': 'query', 'expression': expression}, context)
    return list(result['data'])


def query_first(context: RequestContext, expression: str) -> Optional[Dict[str, Any]]:
    """Return the first entity the query *expression* selects within the batch *context*, or ``None``.

    See :func:`query_entities` (whose errors it raises).
    """
    found = query_entities(context.server, context.tx, expression)
    return found[0] if found else None


def quote(value: str) -> str:
    """Return *value* as a double-quoted string literal of the query language."""
    return '"{0}"'.format(value.replace('\\', '\\\\').replace('"', '\\"'))
