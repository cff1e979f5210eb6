"""Every public name of the documented modules has a docstring and a place
in the API reference.

The modules are those the reference pages under ``doc/api/`` document with
``.. automodule::``. Sphinx's autodoc documents, for each of them, the
classes and functions defined in the module and the module-level data that
has a ``#:`` comment; names re-exported from a private module appear only
through an explicit ``.. autoclass::`` / ``.. autofunction::`` directive.
This test applies the same rules without running Sphinx, so that a missing
docstring or a public name left out of the reference fails the suite at
once (the documentation build, run by CI with ``-W``, checks the rest).

Module loggers (``logger``) are not part of the interface and are left out,
and so are functions a module imports from a private module for its own
use; classes re-exported from private modules are public (the session's
helper classes are) and must be in the reference.
"""

import ast
import importlib
import inspect
import os
import re
import types

import pytest

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..'))
API_DIRECTORY = os.path.join(ROOT, 'doc', 'api')

_DIRECTIVE = re.compile(
    r'^\.\.\s+(automodule|autoclass|autofunction|autodata|autoexception)::\s*(\S+)'
    r'((?:\n[ \t]+:[a-z-]+:.*)*)',
    re.MULTILINE,
)

#: Public names that are not part of the documented interface.
IGNORED_NAMES = frozenset(['logger'])


def _directives():
    """Return ``(modules, explicit, inheriting)`` found in the reference
    pages: the automodule targets, the other directives' targets, and the
    classes documented with ``:inherited-members:``."""
    modules = []
    explicit = set()
    inheriting = set()
    for name in sorted(os.listdir(API_DIRECTORY)):
        if not name.endswith('.rst'):
            continue
        with open(os.path.join(API_DIRECTORY, name), encoding='utf-8') as handle:
            text = handle.read()
        for kind, target, options in _DIRECTIVE.findall(text):
            if kind == 'automodule':
                modules.append(target)
            else:
                explicit.add(target)
                if ':inherited-members:' in options:
                    inheriting.add(target)
    return modules, explicit, inheriting


MODULES, EXPLICIT, INHERITING = _directives()


def _is_private_module(name):
    return any(part.startswith('_') for part in name.split('.'))


def _documented_data(module):
    """Return the names assigned at the top of *module* with a ``#:`` comment,
    and all names assigned there."""
    path = inspect.getsourcefile(module)
    with open(path, encoding='utf-8') as handle:
        source = handle.read()
    lines = source.splitlines()
    assigned = set()
    documented = set()
    for node in ast.parse(source).body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = [target for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target]
        for target in targets:
            assigned.add(target.id)
            previous = lines[node.lineno - 2].strip() if node.lineno > 1 else ''
            if previous.startswith('#:'):
                documented.add(target.id)
    return assigned, documented


def _is_documented_alias(module_name, value):
    """Return whether *value* (not a plain number or text) is documented
    data of another documented module, e.g. ``NOT_SET = symbol.NOT_SET``."""
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return False
    for other in MODULES:
        if other == module_name:
            continue
        module = importlib.import_module(other)
        _assigned, documented = _documented_data(module)
        if any(getattr(module, name, None) is value for name in documented):
            return True
    return False


def _public_names(module):
    names = getattr(module, '__all__', None)
    if names is None:
        names = [name for name in vars(module) if not name.startswith('_')]
    result = []
    for name in names:
        value = getattr(module, name)
        if isinstance(value, types.ModuleType):
            continue
        if type(value).__name__ == '_Feature':  # from __future__ import ...
            continue
        if name in IGNORED_NAMES:
            continue
        result.append((name, value))
    return result


def _private_bases(cls):
    """Return the classes of *cls*'s MRO defined in private ftrack modules,
    leaving out those that a documented public base already inherits (their
    members are documented with that base)."""
    mro = cls.__mro__[1:]
    public = [base for base in mro if base.__module__ in MODULES]
    covered = {ancestor for base in public for ancestor in base.__mro__}
    return [
        base for base in mro
        if base.__module__.startswith('ftrack_')
        and _is_private_module(base.__module__)
        and base not in covered
    ]


def _covered_by_inheritance(module, value):
    """Return whether class *value* is a private base of a class of *module*
    documented with ``:inherited-members:`` (its members appear there)."""
    for qualified in INHERITING:
        owner_module, _, owner_name = qualified.rpartition('.')
        if owner_module != module.__name__:
            continue
        owner = getattr(module, owner_name)
        if value in _private_bases(owner):
            return True
    return False


def _has_docstring(value):
    return bool((inspect.getdoc(value) or '').strip())


def _member_problems(cls, qualified):
    """Yield a message for each public method or property of *cls* (defined
    on the class itself) without a docstring."""
    for name, member in vars(cls).items():
        if name.startswith('_'):
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, property):
            target = member.fget
        elif inspect.isfunction(member):
            target = member
        else:
            continue
        if not (getattr(member, '__doc__', None) or '').strip() and not (
            getattr(target, '__doc__', None) or ''
        ).strip():
            yield '{0}.{1} has no docstring'.format(qualified, name)


def _problems(module_name):
    module = importlib.import_module(module_name)
    problems = []
    if not _has_docstring(module):
        problems.append('module {0} has no docstring'.format(module_name))
    assigned, documented_data = _documented_data(module)
    for name, value in _public_names(module):
        qualified = '{0}.{1}'.format(module_name, name)
        if inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value):
            home = getattr(value, '__module__', None) or ''
            if home == module_name:
                pass  # documented by the automodule directive
            elif home in MODULES:
                continue  # documented, and checked, in its own module
            elif home.startswith('ftrack_') and _is_private_module(home):
                if not inspect.isclass(value) and qualified not in EXPLICIT:
                    continue  # a private helper function imported for use here
                if inspect.isclass(value) and _covered_by_inheritance(module, value):
                    problems.extend(_member_problems(value, qualified))
                    continue
                if qualified not in EXPLICIT:
                    problems.append(
                        '{0} (defined in private module {1}) is not in the API '
                        'reference: add an autoclass/autofunction directive'.format(
                            qualified, home
                        )
                    )
                    continue
            else:
                continue  # imported from the standard library or a dependency
            if not _has_docstring(value):
                problems.append('{0} has no docstring'.format(qualified))
            if inspect.isclass(value):
                problems.extend(_member_problems(value, qualified))
                inherited = sorted(
                    member for base in _private_bases(value) for member in vars(base)
                    if not member.startswith('_') and member not in vars(value)
                    and (inspect.isfunction(vars(base)[member])
                         or isinstance(vars(base)[member], property))
                )
                if inherited and qualified not in INHERITING and home == module_name:
                    problems.append(
                        '{0} inherits public members from private classes ({1}); '
                        'document it with ":inherited-members:" so that they '
                        'appear'.format(qualified, ', '.join(inherited))
                    )
        elif name in assigned:
            if _is_documented_alias(module_name, value):
                continue
            if name not in documented_data and qualified not in EXPLICIT:
                problems.append(
                    '{0} (module data) has no "#:" doc comment, so it is '
                    'missing from the API reference'.format(qualified)
                )
    return problems


def test_reference_pages_document_both_packages():
    """The reference has pages for ftrack_api and ftrack_local_server."""
    assert 'ftrack_api' in MODULES and 'ftrack_api.session' in MODULES
    assert 'ftrack_local_server' in MODULES
    assert 'ftrack_local_server.pytest_plugin' in MODULES


def test_every_public_module_has_a_reference_page():
    """Each public module of ftrack_api has an automodule directive."""
    package_root = os.path.join(ROOT, 'source', 'ftrack_api')
    missing = []
    for directory, folders, files in os.walk(package_root):
        folders[:] = [name for name in folders if not name.startswith(('_', '.'))]
        relative = os.path.relpath(directory, os.path.join(ROOT, 'source'))
        package = relative.replace(os.sep, '.')
        for name in files:
            if not name.endswith('.py') or (name.startswith('_') and name != '__init__.py'):
                continue
            module = package if name == '__init__.py' else package + '.' + name[:-3]
            if module not in MODULES:
                missing.append(module)
    assert missing == [], 'modules without a page in doc/api: {0}'.format(missing)


@pytest.mark.parametrize('module_name', MODULES)
def test_public_names_are_documented(module_name):
    """Every public name of *module_name* has a docstring and is referenced."""
    problems = _problems(module_name)
    assert problems == [], '\n'.join(problems)


@pytest.mark.parametrize('target', sorted(EXPLICIT))
def test_explicit_directives_name_existing_objects(target):
    """An autoclass/autofunction target exists and has a docstring."""
    module_name, _, name = target.rpartition('.')
    value = getattr(importlib.import_module(module_name), name)
    assert _has_docstring(value), '{0} has no docstring'.format(target)


def _callables(module):
    """Yield ``(label, function, docstring)`` for the public functions and
    methods defined in *module* (constructors with their class docstring)."""
    for name, value in sorted(vars(module).items()):
        if name.startswith('_') or getattr(value, '__module__', None) != module.__name__:
            continue
        if inspect.isfunction(value):
            yield name, value, inspect.getdoc(value) or ''
        elif inspect.isclass(value):
            for member_name, member in sorted(vars(value).items()):
                if member_name.startswith('_') and member_name != '__init__':
                    continue
                function = getattr(member, '__func__', member)
                if not inspect.isfunction(function):
                    continue
                text = inspect.getdoc(function) or ''
                if member_name == '__init__':
                    text += '\n' + (inspect.getdoc(value) or '')
                yield '{0}.{1}'.format(name, member_name), function, text


@pytest.mark.parametrize('module_name', MODULES)
def test_docstrings_name_every_argument(module_name):
    """Each documented callable names its arguments (private ``_x`` ones aside)."""
    module = importlib.import_module(module_name)
    lacking = []
    for label, function, text in _callables(module):
        if not text:
            continue  # test_public_names_are_documented reports those
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            continue
        for name in parameters:
            if name in ('self', 'cls') or name.startswith('_'):
                continue
            if not re.search(r'\b{0}\b'.format(re.escape(name)), text):
                lacking.append('{0}({1})'.format(label, name))
    assert not lacking, 'docstrings that do not name an argument: ' + ', '.join(lacking)
