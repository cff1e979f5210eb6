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


from .session import Session  # noqa: E402,F401
# Scripts written for upstream reach ftrack_api.logging after importing the
# package alone.
from . import logging  # noqa: E402,F401
