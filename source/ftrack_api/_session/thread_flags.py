"""Per-thread session flags: auto-population and operation recording.

As upstream, each flag is kept in a :class:`collections.defaultdict` keyed
by thread identifier (``Session._auto_populate`` and
``Session._record_operations``) whose default is the session-wide value:
a thread sees that value until it sets its own, so one thread turning
recording off does not affect another. The context managers put back what
the thread had, removing its entry when it had none, so that a later
thread given the same identifier does not inherit a value.
"""

from __future__ import annotations

import collections
import threading

_MISSING = object()


def flags_by_thread(default):
    """Return an empty per-thread flag mapping whose default is *default*."""
    default = bool(default)
    return collections.defaultdict(lambda: default)


class _ThreadFlagContext(object):
    """Context manager setting one per-thread flag of a session for a block.

    Subclasses name the flag in ``_flag``; on exit the thread gets back the
    value it had (or the session default, if it had none).
    """

    _flag = None

    def __init__(self, session, value):
        self._session = session
        self._value = value
        self._previous = None

    def __enter__(self):
        self._previous = self._session._thread_value(self._flag)
        setattr(self._session, self._flag, self._value)

    def __exit__(self, exception_type, exception_value, traceback):
        self._session._restore_thread_value(self._flag, self._previous)


class AutoPopulatingContext(_ThreadFlagContext):
    """Context manager for temporary change of session auto_populate value."""

    _flag = 'auto_populate'

    def __init__(self, session, auto_populate):
        super(AutoPopulatingContext, self).__init__(session, auto_populate)


class OperationRecordingContext(_ThreadFlagContext):
    """Context manager for temporary change of session record_operations."""

    _flag = 'record_operations'

    def __init__(self, session, record_operations):
        super(OperationRecordingContext, self).__init__(session, record_operations)


def _thread_flag(name, what):
    """Return the property of per-thread flag *name*, described by *what*.

    Reading gives this thread's value (the session default until set);
    setting changes this thread's value only. The values are kept in
    ``_<name>`` (see :func:`flags_by_thread`).
    """
    store = '_' + name
    get_ident = threading.get_ident

    def getter(self):
        return getattr(self, store)[get_ident()]

    def setter(self, value):
        getattr(self, store)[get_ident()] = bool(value)

    return property(
        getter, setter, doc='Whether {0}, for this thread.'.format(what)
    )


class ThreadFlagsMixin(object):
    """``auto_populate`` and ``record_operations`` of a session, per thread.

    The class using it sets ``_auto_populate`` and ``_record_operations``
    to mappings made by :func:`flags_by_thread`.
    """

    auto_populate = _thread_flag('auto_populate', 'values are fetched on access')
    record_operations = _thread_flag('record_operations', 'changes are recorded')

    def _thread_value(self, name):
        return getattr(self, '_' + name).get(threading.get_ident(), _MISSING)

    def _restore_thread_value(self, name, value):
        values = getattr(self, '_' + name)
        if value is _MISSING:
            values.pop(threading.get_ident(), None)
        else:
            values[threading.get_ident()] = value

    def auto_populating(self, auto_populate):
        """Temporarily set :attr:`auto_populate` (for this thread)."""
        return AutoPopulatingContext(self, auto_populate)

    def operation_recording(self, record_operations):
        """Temporarily set :attr:`record_operations` (for this thread)."""
        return OperationRecordingContext(self, record_operations)
