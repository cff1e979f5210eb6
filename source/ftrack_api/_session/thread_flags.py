"""Per-thread session flags: auto-population and operation recording.

Each thread sees the session-wide default until it sets its own value (for
example through the context managers), so one thread turning recording off
does not affect another.
"""

from __future__ import annotations


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

    Reading gives this thread's value, else the session default kept in
    ``_<name>``; setting changes this thread's value only.
    """
    default = '_' + name

    def getter(self):
        # The thread's own dict: getattr with a default costs an exception.
        value = self._thread_state.__dict__.get(name)
        if value is None:
            return getattr(self, default)
        return value

    def setter(self, value):
        setattr(self._thread_state, name, bool(value))

    return property(
        getter, setter, doc='Whether {0}, for this thread.'.format(what)
    )


class ThreadFlagsMixin(object):
    """``auto_populate`` and ``record_operations`` of a session, per thread.

    The class using it sets ``_thread_state`` (a :class:`threading.local`),
    ``_auto_populate`` and ``_record_operations`` (the defaults).
    """

    auto_populate = _thread_flag('auto_populate', 'values are fetched on access')
    record_operations = _thread_flag('record_operations', 'changes are recorded')

    def _thread_value(self, name):
        return getattr(self._thread_state, name, None)

    def _restore_thread_value(self, name, value):
        if value is None:
            self._thread_state.__dict__.pop(name, None)
        else:
            setattr(self._thread_state, name, value)

    def auto_populating(self, auto_populate):
        """Temporarily set :attr:`auto_populate` (for this thread)."""
        return AutoPopulatingContext(self, auto_populate)

    def operation_recording(self, record_operations):
        """Temporarily set :attr:`record_operations` (for this thread)."""
        return OperationRecordingContext(self, record_operations)
