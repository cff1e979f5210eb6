"""Tests for :mod:`ftrack_api.formatter`.

Entities are stood in for by typed mappings; the formatter only needs an
``entity_type`` and mapping access.
"""

import io

import pytest

import ftrack_api.formatter
import ftrack_api.symbol
from ftrack_local_server.testing import offline_session

PLAIN = {'header': lambda text: text, 'label': lambda text: text}


class StandIn(dict):
    """Mapping with an entity type, as entities are."""

    def __init__(self, entity_type, **data):
        super(StandIn, self).__init__(**data)
        self.entity_type = entity_type


@pytest.fixture(autouse=True)
def _no_colour_environment(monkeypatch):
    """Start each test without colour related variables."""
    for name in ('NO_COLOR', 'ANSI_COLORS_DISABLED', 'FORCE_COLOR', 'TERM'):
        monkeypatch.delenv(name, raising=False)


def test_flat_entity_sorted_attributes():
    """The type comes first, then sorted ``name: value`` lines."""
    entity = StandIn('Task', name='compositing', id='1', bid=2.5)
    assert ftrack_api.formatter.format(entity, formatters=PLAIN) == (
        'Task\n'
        ' bid: 2.5\n'
        ' id: 1\n'
        ' name: compositing'
    )


def test_nested_entity_is_indented_under_its_attribute():
    """A nested entity starts on the attribute line, aligned below."""
    project = StandIn('Project', name='p')
    shot = StandIn('Shot', name='s', parent=project)
    assert ftrack_api.formatter.format(shot, formatters=PLAIN) == (
        'Shot\n'
        ' name: s\n'
        ' parent: Project\n'
        '          name: p'
    )


def test_indent_and_indent_first_line():
    """indent shifts every line; indent_first_line controls the first."""
    entity = StandIn('User', username='jane')
    assert ftrack_api.formatter.format(entity, formatters=PLAIN, indent=2) == (
        '  User\n   username: jane'
    )
    assert ftrack_api.formatter.format(
        entity, formatters=PLAIN, indent=2, indent_first_line=False
    ) == ('User\n   username: jane')


def test_cycles_are_cut():
    """An entity met again below itself is shown as ``Type{...}``."""
    parent = StandIn('Shot', name='a')
    child = StandIn('Task', name='b', parent=parent)
    parent['child'] = child
    text = ftrack_api.formatter.format(parent, formatters=PLAIN)
    assert text == (
        'Shot\n'
        ' child: Task\n'
        '         name: b\n'
        '         parent: Shot{...}\n'
        ' name: a'
    )


def test_same_entity_in_sibling_branches_is_shown_twice():
    """Only ancestors count as cycles."""
    user = StandIn('User', username='u')
    note = StandIn('Note', author=user, recipient=user)
    text = ftrack_api.formatter.format(note, formatters=PLAIN)
    assert '{...}' not in text
    assert text.count('username: u') == 2


def test_ignore_unset_filter():
    """FILTER['ignore_unset'] hides NOT_SET attributes."""
    entity = StandIn(
        'Task', name='x', description=ftrack_api.symbol.NOT_SET
    )
    assert 'NOT_SET' in ftrack_api.formatter.format(entity, formatters=PLAIN)
    assert ftrack_api.formatter.format(
        entity,
        formatters=PLAIN,
        attribute_filter=ftrack_api.formatter.FILTER['ignore_unset'],
    ) == 'Task\n name: x'


def test_attribute_filter_receives_entity_name_and_value():
    """The filter is called with (entity, attribute name, value)."""
    calls = []
    entity = StandIn('Task', name='x')

    def record(*args):
        calls.append(args)
        return False

    assert ftrack_api.formatter.format(
        entity, formatters=PLAIN, attribute_filter=record
    ) == 'Task'
    assert calls == [(entity, 'name', 'x')]


def test_collections_plain_unless_recursive():
    """Collections show as str() unless recursive is True."""
    tasks = [StandIn('Task', name='a'), StandIn('Task', name='b')]
    shot = StandIn('Shot', children=tasks)
    assert ftrack_api.formatter.format(shot, formatters=PLAIN) == (
        'Shot\n children: ' + str(tasks)
    )
    assert ftrack_api.formatter.format(
        shot, formatters=PLAIN, recursive=True
    ) == (
        'Shot\n'
        ' children: Task\n'
        '            name: a\n'
        '           Task\n'
        '            name: b'
    )


def test_recursive_collection_of_plain_values():
    """Plain members of a collection are listed aligned."""
    entity = StandIn('Thing', tags=['x', 'y'])
    assert ftrack_api.formatter.format(
        entity, formatters=PLAIN, recursive=True
    ) == ('Thing\n tags: x\n       y')


def test_custom_formatters_and_caller_mapping_untouched():
    """Given formatters are used; the caller's mapping is not modified."""
    formatters = {'header': lambda text: '<' + text + '>'}
    text = ftrack_api.formatter.format(
        StandIn('Task', name='x'), formatters=formatters
    )
    assert text.startswith('<Task>')
    assert list(formatters) == ['header']


def test_no_colour_when_not_a_terminal():
    """Default formatters add no escape codes when output is not a tty."""
    text = ftrack_api.formatter.format(StandIn('Task', name='x'))
    assert '\x1b[' not in text
    assert text == 'Task\n name: x'


def test_force_colour(monkeypatch):
    """FORCE_COLOR makes the default formatters colour the output."""
    monkeypatch.setenv('FORCE_COLOR', '1')
    text = ftrack_api.formatter.format(StandIn('Task', name='x'))
    assert '\x1b[' in text
    assert 'Task' in text


@pytest.mark.parametrize('variable', ['NO_COLOR', 'ANSI_COLORS_DISABLED'])
def test_disabling_variables_win_over_force(monkeypatch, variable):
    """NO_COLOR and ANSI_COLORS_DISABLED disable colour even if forced."""
    monkeypatch.setenv('FORCE_COLOR', '1')
    monkeypatch.setenv(variable, '1')
    text = ftrack_api.formatter.format(StandIn('Task', name='x'))
    assert '\x1b[' not in text


class _Terminal(io.StringIO):
    """Text stream claiming to be a terminal."""

    def isatty(self):
        return True


def test_colour_decision_for_terminals(monkeypatch):
    """Terminals get colour unless TERM is dumb."""
    assert ftrack_api.formatter._colour_enabled(_Terminal()) is True
    assert ftrack_api.formatter._colour_enabled(io.StringIO()) is False
    monkeypatch.setenv('TERM', 'dumb')
    assert ftrack_api.formatter._colour_enabled(_Terminal()) is False


# Real entities of an offline session (real schema, no server needed).


@pytest.fixture
def session():
    yield from offline_session()


def test_real_entities(session):
    """Entity types head nested blocks; unset values can be filtered."""
    with session.auto_populating(False):
        project = session.create('Project', {'name': 'proj', 'full_name': 'P'})
        sequence = session.create('Sequence', {'name': 'seq', 'parent': project})
        text = ftrack_api.formatter.format(
            sequence,
            formatters=PLAIN,
            attribute_filter=ftrack_api.formatter.FILTER['ignore_unset'],
        )
        unfiltered = ftrack_api.formatter.format(sequence, formatters=PLAIN)

    lines = text.splitlines()
    assert lines[0] == 'Sequence'
    assert ' name: seq' in lines
    assert ' id: {0}'.format(sequence['id']) in lines
    assert ' parent: Project' in lines
    project_indent = ' ' * len(' parent: ')
    assert project_indent + ' name: proj' in lines
    assert project_indent + ' full_name: P' in lines
    assert 'NOT_SET' not in text
    assert 'NOT_SET' in unfiltered


def test_real_collections_recursive_with_cycle(session):
    """Recursive formatting lists collection members; cycles are cut."""
    with session.auto_populating(False):
        project = session.create('Project', {'name': 'proj', 'full_name': 'P'})
        sequence = session.create('Sequence', {'name': 'seq', 'parent': project})
        shot = session.create('Shot', {'name': 'sh010', 'parent': sequence})
        sequence['children'].append(shot)

        flat = ftrack_api.formatter.format(
            sequence,
            formatters=PLAIN,
            attribute_filter=ftrack_api.formatter.FILTER['ignore_unset'],
        )
        deep = ftrack_api.formatter.format(
            sequence,
            formatters=PLAIN,
            attribute_filter=ftrack_api.formatter.FILTER['ignore_unset'],
            recursive=True,
        )

    assert ' children: <ftrack_api.collection.Collection' in flat
    lines = deep.splitlines()
    assert ' children: Shot' in lines
    child_indent = ' ' * len(' children: ')
    assert child_indent + ' name: sh010' in lines
    # The shot's parent is the sequence being formatted: a cycle.
    assert child_indent + ' parent: Sequence{...}' in lines
