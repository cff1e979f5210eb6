"""Server information actions: ``query_server_information``, ``query_schemas``, ``reset_remote``.

``query_server_information`` is the first call of every client session: it
checks the credentials and tells the client the server version (clients
refuse servers older than 3.3.11), the hash of the schemas (to validate the
client's schema cache) and the storage scenario (to configure locations).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable, Dict, List

from .. import auth, errors
from ..dispatch import query_first, quote
from ..permissions import access_for
from . import action

logger = logging.getLogger(__name__)

#: Version the server reports. Clients gate features on it, so it is a real
#: ftrack server version newer than anything they check for.
SERVER_VERSION = '4.13.8'

#: Fields returned when the request has no ``values`` (the set a real server
#: answers by default).
DEFAULT_FIELDS = (
    'version',
    'schema_hash',
    'storage_scenario',
    'is_timezone_support_enabled',
)

#: Storage scenario answered when no ``Setting`` configures one.
AUTOMATIC_STORAGE_SCENARIO: Dict[str, Any] = {'scenario': 'ftrack.automatic', 'data': {}}

#: Colours offered to the web interface's pickers.
DEFAULT_COLORS = [
    '#FF4136', '#FF851B', '#FFDC00', '#2ECC40', '#3D9970',
    '#39CCCC', '#0074D9', '#001F3F', '#B10DC9', '#F012BE',
    '#85144B', '#AAAAAA',
]


def _storage_scenario(context: Any) -> Dict[str, Any]:
    """Return the storage scenario stored in the ``STORAGE`` setting."""
    setting = query_first(
        context,
        'select value from Setting where name is "storage_scenario" '
        'and group is "STORAGE"',
    )
    if setting is None:
        return dict(AUTOMATIC_STORAGE_SCENARIO, data={})
    raw = setting.get('value')
    try:
        scenario = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        scenario = None
    if not isinstance(scenario, dict) or not isinstance(scenario.get('scenario'), str):
        # A broken setting must not make every client fail at start-up;
        # answer the automatic scenario and say loudly why.
        logger.warning(
            'Ignoring the storage_scenario Setting: its value is not a JSON '
            'object with a "scenario" string: %s', errors.excerpt(raw)
        )
        return dict(AUTOMATIC_STORAGE_SCENARIO, data={})
    scenario.setdefault('data', {})
    return scenario


def _user_information(context: Any) -> Dict[str, Any]:
    """Return what the web interface knows about the logged-in user."""
    user = context.user
    information = {
        'id': user.get('id'),
        'username': user.get('username'),
        'first_name': user.get('first_name'),
        'last_name': user.get('last_name'),
        'access_key_id': None,
        'is_global_access_key': False,
        'restricted_user': False,
        'thumbnail_id': None,
        'thumbnail_url': None,
        'permissions': [],
    }
    if user.get('id'):
        found = query_first(
            context,
            'select thumbnail_id, user_security_roles.security_role.name '
            'from User where id is {0}'.format(quote(user['id'])),
        )
        if found is not None:
            information['thumbnail_id'] = found.get('thumbnail_id')
            information['permissions'] = sorted(
                {
                    role['security_role']['name']
                    for role in found.get('user_security_roles') or []
                    if role.get('security_role') and role['security_role'].get('name')
                }
            )
    return information


def _field_providers() -> Dict[str, Callable[[Any], Any]]:
    return {
        'version': lambda context: SERVER_VERSION,
        'schema_hash': lambda context: context.server.catalogue.schema_hash,
        'storage_scenario': _storage_scenario,
        'is_timezone_support_enabled': lambda context: True,
        'is_nested_subqueries_enabled': lambda context: True,
        'custom_widget': lambda context: [],
        'default_colors': lambda context: list(DEFAULT_COLORS),
        'license': lambda context: [],
        'preferred_language': lambda context: 'en',
        'week_startday': lambda context: 0,
        'workday_length': lambda context: 8 * 3600,
        'display_week_numbers': lambda context: False,
        'display_task_dates_as_time': lambda context: False,
        'storage_limit': lambda context: None,
        'company_information': lambda context: {
            'name': 'ftrack local server',
            'logo_url': None,
        },
        'product': lambda context: 'ftrack-local-server',
        'user_information': _user_information,
    }


#: Every field ``values`` may ask for.
KNOWN_FIELDS = tuple(sorted(_field_providers()))


@action('query_server_information')
def query_server_information(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Answer the server information object (protocol §1.7).

    Without ``values`` the default fields are answered; ``values`` (a list
    of field names) selects exactly those fields. Raise
    :class:`~ftrack_local_server.errors.ValidationError` if ``values`` is not
    a list of strings or names a field the server does not know.
    """
    values = operation.get('values')
    providers = _field_providers()
    if values is None:
        names: List[str] = list(DEFAULT_FIELDS)
    else:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise errors.ValidationError(
                'query_server_information "values" must be a list of field '
                'names, got {0}.'.format(errors.excerpt(values))
            )
        unknown = [name for name in values if name not in providers]
        if unknown:
            raise errors.ValidationError(
                'query_server_information does not know the field(s) {0}; '
                'known fields are {1}.'.format(
                    ', '.join(sorted(set(unknown))), ', '.join(KNOWN_FIELDS)
                )
            )
        names = values
    return {name: providers[name](context) for name in names}


@action('query_schemas')
def query_schemas(operation: Dict[str, Any], context: Any) -> List[Dict[str, Any]]:
    """Answer the list of entity type schemas the server serves."""
    return context.server.catalogue.schemas


@action('reset_remote')
def reset_remote(operation: Dict[str, Any], context: Any) -> Dict[str, Any]:
    """Reset a server-side value; only ``api_key`` of a ``User`` is supported.

    The operation has ``reset_type`` and optionally ``entity_type`` and
    ``entity_key`` (a bare id string, or a one-item list). Without an entity
    the authenticated user's key is reset. Answer
    ``{'action': 'reset_remote', 'data': {'api_key': <new key>}}``; the old
    key stops working when the batch commits. Raise
    :class:`~ftrack_local_server.errors.ValidationError` for any other reset
    type or entity type, and
    :class:`~ftrack_local_server.errors.NotFoundError` for an unknown user.
    """
    reset_type = operation.get('reset_type')
    if reset_type != 'api_key':
        raise errors.ValidationError(
            'reset_remote cannot reset {0}: the only supported reset_type is '
            '"api_key" (of a User).'.format(errors.excerpt(reset_type))
        )
    entity_type = operation.get('entity_type')
    entity_key = operation.get('entity_key')
    if entity_type is None and entity_key is None:
        user_id = context.user.get('id')
        if not user_id:
            raise errors.ValidationError(
                'reset_remote "api_key" without an entity needs a logged-in user.'
            )
    else:
        if entity_type != 'User':
            raise errors.ValidationError(
                'reset_remote "api_key" applies to a User, not to entity_type '
                '{0}.'.format(errors.excerpt(entity_type))
            )
        user_id = _single_key(entity_key)
    if user_id != context.user.get('id'):
        # Anyone may renew their own key; another user's is an
        # administrator's business (else any user could take over any other).
        access_for(context).require_administrator(
            'reset the API key of User({0})'.format(user_id))
    found = query_first(
        context, 'select id, username from User where id is {0}'.format(quote(user_id))
    )
    if found is None:
        raise errors.NotFoundError(
            'reset_remote: no User with id {0} exists.'.format(errors.excerpt(user_id))
        )
    new_key = auth.set_api_key(context.tx, user_id, found['username'])
    # Invalidate now rather than after commit: a lookup made meanwhile waits
    # for this transaction to end and then reads the committed key.
    context.server.credentials.invalidate()
    return {'action': 'reset_remote', 'data': {'api_key': new_key}}


def _single_key(entity_key: Any) -> str:
    if isinstance(entity_key, list) and len(entity_key) == 1:
        entity_key = entity_key[0]
    if not isinstance(entity_key, str) or not entity_key:
        raise errors.ValidationError(
            'reset_remote "entity_key" must be the id of a User (a string or '
            'a one-item list), got {0}.'.format(errors.excerpt(entity_key))
        )
    return entity_key
