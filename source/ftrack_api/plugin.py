"""Discovery and registration of plugins.

A plugin is a Python file exposing a module-level ``register`` function.
Sessions discover plugins on their plugin paths and call each ``register``
with the session (and the session's ``plugin_arguments``).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import inspect
import logging
import os
import sys
import traceback
import uuid

logger = logging.getLogger(__name__)

#: Prefix of the module names plugins are imported under.
MODULE_NAME_PREFIX = 'ftrack_api_plugin_'


def discover(paths, positional_arguments=None, keyword_arguments=None):
    """Find and load plugins in search *paths*, calling their ``register``.

    Every ``*.py`` file found recursively under each of *paths* (a list of
    directories; a path to a single ``.py`` file is loaded as is) is
    imported under a unique module name, so plugins sharing a file name do
    not replace each other. Its module-level ``register`` callable is then
    called with *positional_arguments* as ``*args`` and
    *keyword_arguments* as ``**kwargs``.

    When ``register`` cannot take all the arguments, the ones it cannot
    take are dropped (keyword arguments it does not name, positional ones
    beyond its parameters) and upstream's warning is logged ("Culling
    passed arguments to match register function signature."). Paths that
    do not exist are skipped; files that fail to import and files without a
    ``register`` function are logged (warning) and skipped.

    As upstream, an error raised by a ``register`` function propagates (so
    a broken plugin on ``FTRACK_EVENT_PLUGIN_PATH`` makes ``Session()``
    raise).

    Raise :exc:`TypeError` if *paths* is not a path or a list of paths.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif paths is None:
        raise TypeError('Plugin paths must be a list of paths, got None.')

    positional_arguments = list(positional_arguments or [])
    keyword_arguments = dict(keyword_arguments or {})

    for path in paths:
        for module_path in _find_plugin_files(path):
            module = _load_module(module_path)
            if module is None:
                continue
            _register(module, module_path, positional_arguments, keyword_arguments)


def _find_plugin_files(path):
    """Return the sorted ``.py`` files under *path* (or *path* itself)."""
    path = os.fspath(path)
    if os.path.isfile(path):
        if path.endswith('.py'):
            return [path]
        logger.warning('Plugin path "%s" is not a Python file; skipped.', path)
        return []

    if not os.path.isdir(path):
        logger.debug('Plugin path "%s" does not exist; skipped.', path)
        return []

    found = []
    for directory, directory_names, file_names in os.walk(path):
        # Sorted so that plugins load in the same order on every machine.
        directory_names.sort()
        for file_name in sorted(file_names):
            if file_name.endswith('.py'):
                found.append(os.path.join(directory, file_name))
    return found


def _load_module(module_path):
    """Return the module imported from *module_path*, or None on failure."""
    module_name = MODULE_NAME_PREFIX + uuid.uuid4().hex
    try:
        spec = importlib.util.spec_from_file_location(module_name, module_path)
        module = importlib.util.module_from_spec(spec)
        # Registered before executing, as the import system does, so that
        # code in the plugin resolving its own module (dataclasses,
        # pickling) works; the unique name avoids clobbering anything.
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(module_name, None)
        logger.warning('Failed to load plugin from "{0}": {1}'.format(module_path, error))
        logger.debug(traceback.format_exc())
        return None

    logger.debug('Loaded plugin "%s" as module %s.', module_path, module_name)
    return module


def _register(module, module_path, positional_arguments, keyword_arguments):
    """Call the ``register`` function of *module* with what it can take."""
    register = getattr(module, 'register', None)
    if register is None:
        logger.warning(
            'Failed to load plugin that did not define a "register" function at '
            'the module level: {0}'.format(module_path)
        )
        return

    positional = _accepted_positional_arguments(register, positional_arguments)
    accepted = _accepted_keyword_arguments(register, len(positional), keyword_arguments)
    if len(positional) < len(positional_arguments) or len(accepted) < len(
        keyword_arguments
    ):
        logger.warning('Culling passed arguments to match register function signature.')
        logger.debug(
            'Plugin "%s": register does not take argument(s) %s.',
            module_path,
            ', '.join(
                ['#{0}'.format(index) for index in range(
                    len(positional), len(positional_arguments))]
                + sorted(set(keyword_arguments) - set(accepted))
            ),
        )
    register(*positional, **accepted)


def _accepted_positional_arguments(function, positional_arguments):
    """Return the first *positional_arguments* that *function* can take.

    All of them when it takes ``*args`` or cannot be inspected.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return list(positional_arguments)
    count = 0
    for parameter in signature.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            return list(positional_arguments)
        if parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
        ):
            count += 1
    return list(positional_arguments[:count])


def _accepted_keyword_arguments(function, positional_count, keyword_arguments):
    """Return the subset of *keyword_arguments* that *function* accepts.

    Parameters already filled by the first *positional_count* positional
    arguments are not accepted again. A function whose signature cannot be
    inspected (some builtins) is given everything.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return dict(keyword_arguments)

    parameters = list(signature.parameters.values())
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return dict(keyword_arguments)

    positional_kinds = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    filled = set()
    position = 0
    for parameter in parameters:
        if parameter.kind in positional_kinds and position < positional_count:
            filled.add(parameter.name)
            position += 1

    names = set(
        p.name
        for p in parameters
        if p.kind
        in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    )
    return dict(
        (name, value)
        for name, value in keyword_arguments.items()
        if name in names and name not in filled
    )


def load_source(modname, filename):
    """Import the Python file *filename* as a module named *modname*; return it.

    The module is executed but not added to :data:`sys.modules` (so loading
    two files under one name does not clash). A missing file raises
    :exc:`FileNotFoundError`; an error in the module's code propagates.
    """
    loader = importlib.machinery.SourceFileLoader(modname, filename)
    spec = importlib.util.spec_from_file_location(modname, filename, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
