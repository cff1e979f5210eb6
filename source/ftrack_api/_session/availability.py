"""Component availability and location picking (protocol §7.4).

A non-container component is either fully available in a location (100)
or not at all (0): it is available when a server-side ``ComponentLocation``
links it to the location. Only those links count, as upstream: a component
held by a memory location (``ftrack.origin`` included) is 0 there. A
container's availability is the mean of its members' availabilities.
"""

from __future__ import annotations

import collections

import ftrack_api._session.component_transfer as _transfer
import ftrack_api.query
import ftrack_api.symbol

NOT_SET = ftrack_api.symbol.NOT_SET


def _as_locations(session, locations):
    """Return *locations* as a list (all server locations when None)."""
    if locations is None:
        return session.query('Location').all()
    if isinstance(locations, ftrack_api.query.QueryResult):
        return locations.all()
    return list(locations)


def _populate(session, components):
    """Fetch the location links (and members of containers) of *components*.

    One populate per entity type, as populating mixes no types.
    """
    groups = collections.OrderedDict()
    for component in components:
        container = _transfer.is_container(component)
        groups.setdefault((component.entity_type, container), []).append(component)
    for (_, container), members in groups.items():
        projections = 'component_locations.location_id'
        if container:
            projections = 'members, ' + projections
        session.populate(members, projections)


def _linked_location_ids(component):
    """Return the ids of the locations *component* is registered in."""
    links = component['component_locations']
    if links is NOT_SET or links is None:
        return set()
    return {link['location_id'] for link in links}


def _members_of(component):
    members = component['members']
    if members is NOT_SET or members is None:
        return []
    return list(members)


def _finish(availability):
    """Round to 9 decimals and clamp each percentage to 0-100, in place."""
    for location_id, percentage in availability.items():
        availability[location_id] = max(0.0, min(round(percentage, 9), 100.0))
    return availability


def get_component_availabilities(session, components, locations=None):
    """Return availabilities of *components* as ``{location id: percentage}``.

    *locations* (default: every location on the server) limits the
    locations reported. The list follows the order of *components*.
    """
    components = _transfer.as_components(components)
    locations = _as_locations(session, locations)
    return _availabilities(session, components, locations)


def _availabilities(session, components, locations):
    if not components:
        return []
    _populate(session, components)

    containers = [
        component for component in components
        if _transfer.is_container(component) and _members_of(component)
    ]
    all_members = [member for container in containers for member in _members_of(container)]
    member_results = iter(_availabilities(session, all_members, locations))

    results = []
    for component in components:
        availability = {location['id']: 0.0 for location in locations}
        members = _members_of(component) if _transfer.is_container(component) else []
        if members:
            weight = 1.0 / len(members)
            for _ in members:
                for location_id, percentage in next(member_results).items():
                    availability[location_id] += percentage * weight
        else:
            for location_id in _linked_location_ids(component):
                if location_id in availability:
                    availability[location_id] = 100.0
        results.append(_finish(availability))
    return results


def get_component_availability(session, component, locations=None):
    """Return availability of *component* as ``{location id: percentage}``."""
    return get_component_availabilities(session, [component], locations=locations)[0]


def accessible_locations(session):
    """Return server locations configured with an accessor, by priority.

    Lower priority numbers come first; equal priorities keep server order.
    """
    locations = [
        location for location in session.query('Location').all() if location.accessor
    ]
    locations.sort(key=lambda location: location.priority)
    return locations


def pick_location(session, component=None):
    """Return the preferred accessible location (holding *component*), or None."""
    if component is None:
        locations = accessible_locations(session)
        return locations[0] if locations else None
    return pick_locations(session, [component])[0]


def pick_locations(session, components):
    """Return, per component of *components*, its preferred location or None.

    The preferred location is the accessible location with the lowest
    priority number in which the component is at least partly available.
    """
    components = _transfer.as_components(components)
    candidates = accessible_locations(session)
    availabilities = _availabilities(session, components, candidates)
    picked = []
    for availability in availabilities:
        picked.append(next(
            (
                location for location in candidates
                if availability.get(location['id'], 0.0) > 0.0
            ),
            None,
        ))
    return picked
