"""Deleting entities: what goes with them and what must not be left dangling.

Deleting an entity deletes what it owns, recursively: the items of its
one-to-many collections (a project its children, assets, notes, ...; a
task its notes, timelogs, metadata, custom attribute values, links; an
asset its versions; a version its components; a note its replies,
recipients and attachments; ...), the link rows of its many-to-many
collections, and the entities of :data:`CASCADE_REFERENCES` that point at
it (a user's timers, a component's note attachments, ...).

Collections in :data:`NOT_OWNED` only list entities that refer to the
owner (a status's tasks, a type's tasks): those, and any other reference
to a deleted entity from an entity that is not deleted, make the delete
fail with an error naming them -- except the :data:`SOFT_REFERENCES`
(thumbnails, note categories, ...), which are cleared.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, Tuple

from .. import errors
from ..query.sql import chunks
from .common import Entity

#: Collections whose items merely refer to the owner: (type, attribute).
NOT_OWNED = {
    ('Status', 'tasks'), ('Priority', 'tasks'), ('Type', 'tasks'),
    ('ObjectType', 'tasks'), ('AssetType', 'assets'), ('ListCategory', 'lists'),
    ('CustomAttributeType', 'custom_attribute_configurations'),
    ('CustomAttributeGroup', 'custom_attribute_configurations'),
    ('Disk', 'projects'), ('WorkflowSchema', 'overrides'),
}

#: References whose owner is deleted with the entity referenced:
#: (type, reference attribute).
CASCADE_REFERENCES = (
    ('Timer', 'context'), ('Timer', 'user'),
    ('Recipient', 'recipient'), ('Participant', 'resource'),
    ('CalendarEventResource', 'resource'), ('Manager', 'user'),
    ('NoteComponent', 'component'), ('JobComponent', 'component'),
    ('SettingComponent', 'component'), ('NoteLabelLink', 'label'),
    ('SchemaStatus', 'task_status'), ('SchemaType', 'task_type'),
    ('Event', 'project'), ('UserSecurityRoleProject', 'project'),
    ('List', 'project'),
    ('TaskTemplateItem', 'task_type'), ('DashboardResource', 'resource'),
)

#: References cleared (set to null) when their target is deleted.
SOFT_REFERENCES = {
    'thumbnail', ('Note', 'category'), ('Note', 'completed_by'),
    ('Project', 'disk'), ('AssetVersion', 'task'), ('Job', 'user'),
} | {(type_name, name) for type_name, name, rule in (
    # What deleting a User does to each relation of the schema that points
    # at a user, and why. 'cascade' rows are deleted with the user (owned
    # collections of User, CASCADE_REFERENCES), 'clear' references are set
    # to null, 'refuse' ones make the delete fail (see USER_REFUSED).
    #   Timelog.user, Timer.user: cascade -- a user's own time records.
    #   Appointment (assignments, allocations): cascade -- they say what the
    #     user is booked on, meaningless without the user.
    #   UserSecurityRole (and its projects): cascade -- the user's access.
    #   Membership.user, Manager.user: cascade -- the user's place in groups
    #     and as a manager of a context.
    #   Recipient.recipient, Participant, CalendarEventResource.resource,
    #   DashboardResource.resource: cascade -- the user's inbox and calendar.
    #   User custom attribute links and values, metadata: cascade (owned).
    #   Note.author, Message/Conversation/ReviewSession/ReviewSessionInvitee
    #     .created_by: refuse -- each requires its author, and deleting it
    #     would lose other people's work (a thread, a review); the error
    #     says to deactivate the user instead.
    ('Context', 'created_by', 'clear'),         # the project data stays
    ('AssetVersion', 'user', 'clear'),          # the published version stays
    ('StatusChange', 'user', 'clear'),          # the status history stays
    ('Event', 'user', 'clear'),                 # the event log stays
    ('List', 'owner', 'clear'),                 # the list belongs to the project
    ('Dashboard', 'created_by', 'clear'),       # shared dashboards stay
    ('CalendarEvent', 'created_by', 'clear'),   # the event stays
    ('CalendarEventResource', 'created_by', 'clear'),
)}


def _owned_collections(model: Any, type_name: str) -> List[Any]:
    entity_type = model.catalogue.get(type_name)
    found = []
    for attribute in entity_type.attributes.values():
        if not attribute.is_many:
            continue
        collection = model.collection(type_name, attribute.name)
        if collection.kind == 'computed':
            continue
        if any((candidate.name, attribute.name) in NOT_OWNED
               for candidate in [entity_type] + entity_type.ancestors()):
            continue
        found.append(collection)
    return found


def _is_soft(model: Any, owner: str, attribute: str) -> bool:
    if attribute in SOFT_REFERENCES:
        return True
    entity_type = model.catalogue.get(owner)
    return any((candidate.name, attribute) in SOFT_REFERENCES
               for candidate in [entity_type] + entity_type.ancestors())


def collect(tx: Any, roots: List[Entity]) -> 'OrderedDict[Tuple[str, Tuple], Entity]':
    """Return every entity deleting *roots* deletes, roots first, by identity."""
    model = tx.model
    found: 'OrderedDict[Tuple[str, Tuple], Entity]' = OrderedDict()
    frontier = []
    for root in roots:
        if root.identity not in found:
            found[root.identity] = root
            frontier.append(root)
    cascade_refs = [model.reference(t, a) for t, a in CASCADE_REFERENCES
                    if (t, a) in model.references]
    while frontier:
        by_type: Dict[str, List[Entity]] = {}
        for entity in frontier:
            by_type.setdefault(entity.type_name, []).append(entity)
        frontier = []
        for type_name, entities in by_type.items():
            for item in _dependants(tx, type_name, entities, cascade_refs):
                if item.identity not in found:
                    found[item.identity] = item
                    frontier.append(item)
    return found


def _select_in(tx: Any, table: str, columns: Tuple[str, ...], keys: List[Tuple],
               filters: Dict[str, Any]) -> List[Any]:
    rows = []
    if len(columns) == 1:
        values = [key[0] for key in keys]
        for chunk in chunks(values):
            where = {columns[0]: list(chunk)}
            where.update(filters)
            rows.extend(tx.select(table, where))
    else:
        for key in keys:
            where = dict(zip(columns, key))
            where.update(filters)
            rows.extend(tx.select(table, where))
    return rows


def _dependants(tx: Any, type_name: str, entities: List[Entity],
                cascade_refs: List[Any]) -> List[Entity]:
    model = tx.model
    keys = [entity.key for entity in entities]
    result = []
    for collection in _owned_collections(model, type_name):
        if collection.kind == 'one_to_many':
            table = model.table(collection.target)
            rows = _select_in(tx, table.name, collection.item_columns, keys,
                              collection.filters)
            root = table.root or collection.target
            for row in rows:
                result.append(Entity.from_row(model, root, row))
        elif collection.link_type:
            rows = _select_in(tx, collection.link_table,
                              collection.link_owner_columns, keys, {})
            for row in rows:
                result.append(Entity.from_row(model, collection.link_type, row))
        else:
            for key in keys:
                tx.delete(collection.link_table,
                          dict(zip(collection.link_owner_columns, key)))
    entity_type = model.catalogue.get(type_name)
    for reference in cascade_refs:
        if not entity_type.is_a(reference.target) and not \
                model.catalogue.get(reference.target).is_a(entity_type):
            continue
        table = model.table(reference.owner)
        rows = _select_in(tx, table.name, reference.columns, keys, {})
        for row in rows:
            item = Entity.from_row(model, table.root or reference.owner, row)
            if item.entity_type.is_a(reference.owner):
                result.append(item)
    return result


def delete_entities(tx: Any, roots: List[Entity], changes: Any) -> List[Entity]:
    """Delete *roots* and everything they own; return what was deleted.

    Raise :class:`~ftrack_local_server.errors.ValidationError` naming the
    referring entities when a deleted entity is still referenced by one
    that is not deleted (nothing is deleted then; the batch fails).
    """
    from .hierarchy import forget_chains
    doomed = collect(tx, roots)
    _clear_references(tx, doomed, changes)
    forget_chains(tx)
    removed = tx.state.setdefault('removed', set())
    links: Dict[str, List[Any]] = {}
    for entity in doomed.values():
        tx.delete(entity.table, entity.key_where)
        removed.add(entity.identity)
        if entity.type_name not in links:
            links[entity.type_name] = _hidden_links(tx.model, entity.type_name)
        for collection in links[entity.type_name]:
            tx.delete(collection.link_table,
                      dict(zip(collection.link_owner_columns, entity.key)))
        changes.removed(entity)
    return list(doomed.values())


def _hidden_links(model: Any, type_name: str) -> List[Any]:
    found = []
    for table in model.tables.values():
        if not table.is_link:
            continue
        for collection in model.collections.values():
            if collection.link_table == table.name and collection.owner == type_name:
                found.append(collection)
    # Links held from the other side (e.g. a deleted scope in a context's
    # scopes) are removed as well.
    for collection in model.collections.values():
        if collection.kind == 'many_to_many' and collection.link_type is None and \
                model.catalogue.get(type_name).is_a(collection.target):
            reverse = _Reverse(collection)
            if reverse not in found:
                found.append(reverse)
    return found


class _Reverse:
    """A hidden link table seen from its item side."""

    def __init__(self, collection: Any) -> None:
        self.link_table = collection.link_table
        self.link_owner_columns = collection.link_item_columns

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and \
            (self.link_table, self.link_owner_columns) == \
            (other.link_table, other.link_owner_columns)


def _clear_references(tx: Any, doomed: 'OrderedDict[Tuple[str, Tuple], Entity]',
                      changes: Any) -> None:
    model = tx.model
    by_table: Dict[str, List[Tuple]] = {}
    for table, key in doomed:
        by_table.setdefault(table, []).append(key)
    # References stored in the same columns are checked with one query.
    groups: 'OrderedDict[Tuple[str, Tuple[str, ...]], List[Any]]' = OrderedDict()
    for reference in model.references.values():
        if reference.computed:
            continue
        if model.table(reference.target).name not in by_table:
            continue
        owner_table = model.table(reference.owner).name
        groups.setdefault((owner_table, reference.columns), []).append(reference)
    blockers: List[str] = []
    for (owner_table, columns), references in groups.items():
        targets = {model.table(r.target).name for r in references}
        keys = [key for table in targets for key in by_table[table]]
        root = model.tables[owner_table].root
        for row in _select_in(tx, owner_table, columns, keys, {}):
            item = Entity.from_row(model, root or references[0].owner, row)
            if item.identity in doomed:
                continue
            target_key = tuple(row[c] for c in columns)
            for reference in references:
                if not item.entity_type.is_a(reference.owner):
                    continue
                target = doomed.get((model.table(reference.target).name, target_key))
                if target is None:
                    continue
                if _is_soft(model, reference.owner, reference.name):
                    old = dict(item.values)
                    cleared = {column: None for column in columns}
                    item.values.update(cleared)
                    tx.update(item.table, item.key_where, cleared)
                    changes.updated(item, old)
                else:
                    blockers.append('{0} (its "{1}" is {2})'.format(
                        item.describe(), reference.name, target.describe()))
                break
    if blockers:
        root_entity = next(iter(doomed.values()))
        shown = blockers[:5]
        more = len(blockers) - len(shown)
        advice = ''
        if root_entity.type_name == 'User':
            advice = ('; a user who wrote notes or runs review sessions cannot '
                      'be deleted: set its "is_active" to false instead')
        raise errors.ValidationError(
            'Cannot delete {0}: still referenced by {1}{2}{3}.'.format(
                root_entity.describe(), '; '.join(shown),
                ' and {0} more'.format(more) if more else '', advice))
