"""ftrack Python API client."""

from ._version import __version__  # noqa: F401
from ._version import distribution_version  # noqa: F401

import os as _os
import threading

from . import _coexistence

_coexistence.check(_os.path.dirname(_os.path.abspath(__file__)), distribution_version)

_MIXIN_LOCK = threading.Lock()


def mixin(instance, mixin_class, name=None):
    """Mixin *mixin_class* to *instance*.

    The class of *instance* is replaced by a subclass of it that also
    derives from *mixin_class* (placed first, so its methods win). *name* is
    the new class name (default: the mixin's name followed by the original
    class name). Nothing changes when the instance's class already includes
    *mixin_class*.
    """
    current = type(instance)
    if issubclass(current, mixin_class):
        return
    if name is None:
        name = '{0}{1}'.format(mixin_class.__name__, current.__name__)
    key = (mixin_class, name)
    with _MIXIN_LOCK:
        # Kept on the class itself: entity classes are built per session and
        # must be free to go away with it.
        made = current.__dict__.get('_ftrack_mixed_classes')
        if made is None:
            made = {}
            setattr(current, '_ftrack_mixed_classes', made)
        mixed = made.get(key)
        if mixed is None:
            mixed = type(current)(name, (mixin_class, current), {})
            made[key] = mixed
    instance.__class__ = mixed


# Scripts written for upstream reach ftrack_api.logging after importing the
# package alone.
from . import logging  # noqa: E402,F401

#: Submodules reachable as attributes of the package after ``import
#: ftrack_api`` alone, as upstream's package (which imports them all) allows.
#: They, and :class:`Session`, are imported on first use: a DCC or a tool
#: that imports the package at start-up does not pay for the HTTP stack,
#: the event hub and the entity machinery until it makes a session.
_SUBMODULES = frozenset([
    'accessor', 'attribute', 'cache', 'collection', 'data', 'entity', 'event',
    'exception', 'formatter', 'inspection', 'operation', 'plugin', 'query',
    'resource_identifier_transformer', 'session', 'structure', 'symbol',
])


def __getattr__(name):
    # PEP 562: called only for names the package does not hold yet.
    if name == 'Session':
        from .session import Session
        globals()['Session'] = Session
        return Session
    if name in _SUBMODULES:
        import importlib
        return importlib.import_module('.' + name, __name__)
    raise AttributeError('module {0!r} has no attribute {1!r}'.format(__name__, name))


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | {'Session'})


# What ``from ftrack_api import *`` gives with upstream's eager package.
__all__ = sorted(_SUBMODULES | {'Session', 'logging', 'mixin'})
