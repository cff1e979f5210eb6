"""What each seeded security role may do: the one table of the permission model.

Entity types fall into the *areas* of :data:`AREAS` (the first base type
listed that a type is a kind of decides); :data:`ROLE_PERMISSIONS` gives,
for each role name, the actions (``read``, ``create``, ``update``,
``delete``) it allows in each area. Project areas hold data that belongs
to a project, so a role only grants them in the projects its
``UserSecurityRole`` covers (``is_all_projects`` or its project links);
studio areas hold data shared by every project, granted wherever the role
is held.

A real server's default roles are configurable and their exact defaults
are not published; this table is our choice, modelled on what the roles
are for (an administrator runs the studio, a project manager runs
projects, a supervisor runs the work, a user does it, a restricted user
reviews it, an API key automates it). ``doc/local_server.rst`` shows the
same table. Roles not listed (a studio's own) grant reading only.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Sequence, Tuple

READ = 'read'
CREATE = 'create'
UPDATE = 'update'
DELETE = 'delete'
ACTIONS = (READ, CREATE, UPDATE, DELETE)

#: Name of the role whose holders on all projects administer the server.
ADMINISTRATOR = 'Administrator'

#: Areas: name -> (is a project area, base types in it). Order matters:
#: a type belongs to the first area with one of its bases.
AREAS: Tuple[Tuple[str, bool, Tuple[str, ...]], ...] = (
    ('projects', True, ('Project',)),
    ('structure', True, (
        'TypedContext', 'Appointment', 'Manager', 'TypedContextLink',
        'ContextCustomAttributeLink', 'Milestone')),
    ('publishing', True, (
        'Asset', 'AssetVersion', 'Component', 'ComponentLocation',
        'AssetVersionLink', 'Metadata', 'JobComponent')),
    ('review', True, (
        'Note', 'NoteComponent', 'NoteLabelLink', 'Recipient', 'List',
        'ListObject', 'ReviewSession', 'ReviewSessionObject',
        'ReviewSessionInvitee', 'ReviewSessionObjectStatus', 'CalendarEvent',
        'CalendarEventResource')),
    ('time', True, ('Timelog', 'Timer')),
    ('administration', False, (
        'User', 'SecurityRole', 'UserSecurityRole', 'UserSecurityRoleProject',
        'Group', 'Membership', 'UserType', 'ProjectSchema', 'Schema',
        'SchemaStatus', 'SchemaType', 'ObjectType', 'ProjectSchemaObjectType',
        'ProjectSchemaOverride', 'WorkflowSchema', 'WorkflowSchemaStatus',
        'TaskTypeSchema', 'TaskTypeSchemaType', 'TaskTemplate',
        'TaskTemplateItem', 'Setting', 'Disk')),
    ('configuration', False, (
        'Status', 'Type', 'Priority', 'State', 'AssetType', 'ListCategory',
        'NoteCategory', 'NoteLabel', 'Location', 'Scope', 'ManagerType',
        'CustomConfigurationBase', 'CustomAttributeGroup',
        'CustomAttributeType')),
)

#: Areas not in :data:`AREAS` (jobs, events, dashboards, ...): personal or
#: server-side records, which every role may read and write.
OTHER = 'other'

_ALL = frozenset(ACTIONS)
_READ = frozenset((READ,))
_WRITE = frozenset((READ, CREATE, UPDATE))
_NONE: FrozenSet[str] = frozenset()

#: Role name -> area -> actions allowed.
ROLE_PERMISSIONS: Dict[str, Dict[str, FrozenSet[str]]] = {
    'Administrator': {
        'projects': _ALL, 'structure': _ALL, 'publishing': _ALL, 'review': _ALL,
        'time': _ALL, 'administration': _ALL, 'configuration': _ALL, OTHER: _ALL,
    },
    'Project Manager': {
        'projects': _ALL, 'structure': _ALL, 'publishing': _ALL, 'review': _ALL,
        'time': _ALL, 'administration': _READ, 'configuration': _READ, OTHER: _ALL,
    },
    'Supervisor': {
        'projects': frozenset((READ, UPDATE)), 'structure': _ALL,
        'publishing': _ALL, 'review': _ALL, 'time': _ALL,
        'administration': _READ, 'configuration': _READ, OTHER: _ALL,
    },
    'User': {
        'projects': _READ, 'structure': frozenset((READ, UPDATE)),
        'publishing': _WRITE, 'review': _WRITE, 'time': _ALL,
        'administration': _READ, 'configuration': _READ, OTHER: _ALL,
    },
    'Restricted User': {
        'projects': _READ, 'structure': _READ, 'publishing': _READ,
        'review': _WRITE, 'time': _WRITE,
        'administration': _READ, 'configuration': _READ, OTHER: _ALL,
    },
    'Assigned': {
        'projects': _READ, 'structure': _READ, 'publishing': _READ,
        'review': _WRITE, 'time': _WRITE,
        'administration': _READ, 'configuration': _READ, OTHER: _ALL,
    },
    'API': {
        'projects': _ALL, 'structure': _ALL, 'publishing': _ALL, 'review': _ALL,
        'time': _ALL, 'administration': _READ, 'configuration': _ALL, OTHER: _ALL,
    },
}

#: What a role missing from :data:`ROLE_PERMISSIONS` grants.
UNKNOWN_ROLE: Dict[str, FrozenSet[str]] = {
    'projects': _READ, 'structure': _READ, 'publishing': _READ, 'review': _READ,
    'time': _READ, 'administration': _READ, 'configuration': _READ, OTHER: _ALL,
}


def area_of(entity_type: object) -> Tuple[str, bool]:
    """Return ``(area, is a project area)`` of schema *entity_type* (an EntityType)."""
    for area, in_project, bases in AREAS:
        for base in bases:
            if entity_type.is_a(base):  # type: ignore[attr-defined]
                return area, in_project
    return OTHER, False


def allowed(role_name: str, area: str) -> FrozenSet[str]:
    """Return the actions role *role_name* allows in *area*."""
    table = ROLE_PERMISSIONS.get(role_name, UNKNOWN_ROLE)
    return table.get(area, _NONE)


def role_table(areas: Optional[Sequence[str]] = None) -> Dict[str, Dict[str, str]]:
    """Return role -> area -> ``"read, create, ..."`` text, for documentation and the CLI."""
    names = list(areas) if areas is not None else [a for a, _, _ in AREAS] + [OTHER]
    return {
        role: {area: ', '.join(a for a in ACTIONS if a in allowed(role, area)) or '-'
               for area in names}
        for role in ROLE_PERMISSIONS
    }
