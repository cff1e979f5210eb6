"""Tests for :mod:`ftrack_api.plugin`."""

import logging
import os
import sys
import textwrap

import pytest

import ftrack_api.plugin

FIXTURE = os.path.join(
    os.path.dirname(__file__), '..', 'fixture', 'plugin', 'discover'
)
RAISING = os.path.join(
    os.path.dirname(__file__), '..', 'fixture', 'plugin', 'raising'
)


def _write(directory, name, source):
    """Write dedented *source* to *directory*/*name* and return its path."""
    path = os.path.join(str(directory), name)
    with open(path, 'w') as handle:
        handle.write(textwrap.dedent(source))
    return path


def test_discover_loads_recursively_in_sorted_order(caplog):
    """Every plugin under the path is registered, nested ones included."""
    calls = []
    with caplog.at_level(logging.DEBUG, logger='ftrack_api.plugin'):
        ftrack_api.plugin.discover([FIXTURE], [calls], {'option': 'x'})

    assert calls == [
        ('recorder', 'x'),
        ('nested', {'option': 'x'}),
        ('same_name_a', None),
        ('same_name_b', None),
    ]


def test_import_errors_are_logged_with_path_and_skipped(caplog):
    """A plugin failing to import is logged with its path, not raised."""
    calls = []
    with caplog.at_level(logging.WARNING, logger='ftrack_api.plugin'):
        ftrack_api.plugin.discover([FIXTURE], [calls])
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        message.startswith('Failed to load plugin from "')
        and 'broken_import.py": ' in message
        for message in messages
    )
    assert ('broken_import', None) not in calls
    assert any(
        message == 'Failed to load plugin that did not define a "register" '
        'function at the module level: ' + os.path.join(FIXTURE, 'no_register.py')
        for message in messages
    )


def test_register_errors_propagate():
    """As upstream, an error raised by register stops discovery."""
    calls = []
    with pytest.raises(RuntimeError) as raised:
        ftrack_api.plugin.discover([RAISING, FIXTURE], [calls])
    assert str(raised.value) == 'register failed on purpose'
    assert calls == [('raises', None)]


def test_modules_sharing_a_file_name_do_not_collide():
    """Two plugin.py files load as two separate modules."""
    before = set(sys.modules)
    calls = []
    ftrack_api.plugin.discover(
        [os.path.join(FIXTURE, 'same_name')], [calls]
    )
    assert calls == [('same_name_a', None), ('same_name_b', None)]
    added = set(sys.modules) - before
    assert 'plugin' not in added
    assert all(
        name.startswith(ftrack_api.plugin.MODULE_NAME_PREFIX) for name in added
    )


def test_unaccepted_keyword_arguments_are_dropped_with_warning(caplog):
    """Arguments the register function does not name are not passed."""
    calls = []
    with caplog.at_level(logging.WARNING, logger='ftrack_api.plugin'):
        ftrack_api.plugin.discover(
            [os.path.join(FIXTURE, 'recorder_plugin.py')],
            [calls],
            {'option': 1, 'some_other_argument': 42},
        )
    assert calls == [('recorder', 1)]
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING
    ]
    assert warnings == ['Culling passed arguments to match register function signature.']


def test_var_keyword_register_receives_everything(caplog):
    """A register taking **kwargs gets all keyword arguments, no warning."""
    calls = []
    with caplog.at_level(logging.WARNING, logger='ftrack_api.plugin'):
        ftrack_api.plugin.discover(
            [os.path.join(FIXTURE, 'nested')], [calls], {'a': 1, 'b': 2}
        )
    assert calls == [('nested', {'a': 1, 'b': 2})]
    assert not caplog.records


def test_keyword_already_given_positionally_is_dropped(tmp_path):
    """A keyword naming a parameter filled positionally is not passed."""
    _write(
        tmp_path,
        'positional.py',
        '''
        def register(calls, flag=False):
            calls.append(flag)
        ''',
    )
    calls = []
    ftrack_api.plugin.discover(
        [str(tmp_path)], [calls], {'calls': 'duplicate', 'flag': True}
    )
    assert calls == [True]


def test_keyword_only_parameters_are_accepted(tmp_path):
    """Keyword-only parameters of register receive their argument."""
    _write(
        tmp_path,
        'keyword_only.py',
        '''
        def register(calls, *, reticulate_splines=False):
            calls.append(reticulate_splines)
        ''',
    )
    calls = []
    ftrack_api.plugin.discover(
        [str(tmp_path)],
        [calls],
        {'reticulate_splines': True, 'some_other_argument': 42},
    )
    assert calls == [True]


def test_missing_path_is_skipped(tmp_path, caplog):
    """A path that does not exist is skipped (logged at debug level only)."""
    missing = str(tmp_path / 'missing')
    _write(
        tmp_path,
        'present.py',
        '''
        def register(calls):
            calls.append('present')
        ''',
    )
    calls = []
    with caplog.at_level(logging.DEBUG, logger='ftrack_api.plugin'):
        ftrack_api.plugin.discover([missing, str(tmp_path)], [calls])
    assert calls == ['present']
    assert [r.levelname for r in caplog.records if missing in r.getMessage()] == ['DEBUG']


def test_non_python_files_are_ignored(tmp_path, caplog):
    """Only files ending in .py are loaded."""
    _write(tmp_path, 'notes.txt', 'this is not python')
    _write(tmp_path, 'plugin.pyc', 'not a source file')
    with caplog.at_level(logging.DEBUG, logger='ftrack_api.plugin'):
        ftrack_api.plugin.discover([str(tmp_path)], [[]])
    assert not caplog.records


def test_module_without_register_is_skipped(tmp_path):
    """A module without register is imported and otherwise ignored."""
    marker = tmp_path / 'imported.txt'
    _write(
        tmp_path,
        'helper.py',
        '''
        import pathlib
        pathlib.Path({0!r}).write_text('yes')
        '''.format(str(marker)),
    )
    ftrack_api.plugin.discover([str(tmp_path)])
    assert marker.read_text() == 'yes'


def test_non_callable_register_raises(tmp_path):
    """As upstream, a register attribute that cannot be called fails."""
    _write(tmp_path, 'bad_register.py', 'register = 5\n')
    with pytest.raises(TypeError):
        ftrack_api.plugin.discover([str(tmp_path)])


def test_extra_positional_arguments_are_culled(tmp_path, caplog):
    """Positional arguments beyond register's parameters are dropped.

    Upstream logs the same warning but passes the last ones; ours the first.
    """
    _write(
        tmp_path,
        'one_argument.py',
        '''
        import builtins

        def register(first):
            builtins._plugin_test_received = first
        ''',
    )
    import builtins
    try:
        with caplog.at_level(logging.WARNING, logger='ftrack_api.plugin'):
            ftrack_api.plugin.discover([str(tmp_path)], ['session', 'extra'])
        assert builtins._plugin_test_received == 'session'
    finally:
        builtins.__dict__.pop('_plugin_test_received', None)
    assert [r.getMessage() for r in caplog.records] == [
        'Culling passed arguments to match register function signature.']


def test_single_string_path_is_one_path(tmp_path):
    """A single path string is treated as one path, not characters."""
    _write(
        tmp_path,
        'single.py',
        '''
        def register(calls):
            calls.append('single')
        ''',
    )
    calls = []
    ftrack_api.plugin.discover(str(tmp_path), [calls])
    assert calls == ['single']


def test_none_paths_raise_type_error():
    """None is not a list of paths."""
    with pytest.raises(TypeError) as error:
        ftrack_api.plugin.discover(None)
    assert 'None' in str(error.value)


def test_plugin_can_define_dataclass(tmp_path):
    """Plugin code resolving its own module (dataclasses) works."""
    _write(
        tmp_path,
        'with_dataclass.py',
        '''
        import dataclasses

        @dataclasses.dataclass
        class Settings:
            value: int = 3

        def register(calls):
            calls.append(Settings().value)
        ''',
    )
    calls = []
    ftrack_api.plugin.discover([str(tmp_path)], [calls])
    assert calls == [3]


def test_session_passes_itself_and_accepted_plugin_arguments(tmp_path, caplog):
    """The seed's plugin_arguments example, through a real session."""
    from ftrack_local_server.testing import OfflineSession

    _write(
        tmp_path,
        'a_plugin.py',
        '''
        def register(session, reticulate_splines=False):
            session.reticulated = reticulate_splines
        ''',
    )
    with caplog.at_level(logging.WARNING, logger='ftrack_api.plugin'):
        session = OfflineSession(
            plugin_paths=[str(tmp_path)],
            plugin_arguments={
                'reticulate_splines': True,
                'some_other_argument': 42,
            },
        )
    try:
        assert session.reticulated is True
        assert [record.getMessage() for record in caplog.records] == [
            'Culling passed arguments to match register function signature.']
    finally:
        session.close()
