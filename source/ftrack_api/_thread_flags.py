"""Per-thread session flags: auto-population and operation recording.

Each thread sees the session-wide default until it sets its own value (for
example through the context managers), so one thread turning recording off
does not affect another.
"""

from __future__ import annotations


class AutoPopulatingContext(object):
    """Context manager for temporary change of session auto_populate value."""

    def __init__(self, session, auto_populate):
        self._session = session
        self._auto_populate = auto_populate
        self._previous = None

    def __enter__(self):
        self._previous = self._session._thread_value('auto_populate')
        self._session.auto_populate = self._auto_populate

    def __exit__(self, exception_type, exception_value, traceback):
        self._session._restore_thread_value('auto_populate', self._previous)


class OperationRecordingContext(object):
    """Context manager for temporary change of session record_operations."""

    def __init__(self, session, record_operations):
        self._session = session
        self._record_operations = record_operations
        self._previous = None

    def __enter__(self):
        self._previous = self._session._thread_value('record_operations')
        self._session.record_operations = self._record_operations

    def __exit__(self, exception_type, exception_value, traceback):
        self._session._restore_thread_value('record_operations', self._previous)


class ThreadFlagsMixin(object):
    """``auto_populate`` and ``record_operations`` of a session, per thread.

    The class using it sets ``_thread_state`` (a :class:`threading.local`),
    ``_auto_populate`` and ``_record_operations`` (the defaults).
    """

    def _thread_value(self, name):
        return getattr(self._thread_state, name, None)

    def _restore_thread_value(self, name, value):
        if value is None:
            self._thread_state.__dict__.pop(name, None)
        else:
            setattr(self._thread_state, name, value)

    @property
    def auto_populate(self):
        """Return whether values are fetched on access, for this thread."""
        # The thread's own dict: getattr with a default costs an exception.
        value = self._thread_state.__dict__.get('auto_populate')
        if value is None:
            return self._auto_populate
        return value

    @auto_populate.setter
    def auto_populate(self, value):
        """Set whether values are fetched on access, for this thread."""
        self._thread_state.auto_populate = bool(value)

    @property
    def record_operations(self):
        """Return whether changes are recorded, for this thread."""
        value = self._thread_state.__dict__.get('record_operations')
        if value is None:
            return self._record_operations
        return value

    @record_operations.setter
    def record_operations(self, value):
        """Set whether changes are recorded, for this thread."""
        self._thread_state.record_operations = bool(value)

    def auto_populating(self, auto_populate):
        """Temporarily set :attr:`auto_populate` (for this thread)."""
        return AutoPopulatingContext(self, auto_populate)

    def operation_recording(self, record_operations):
        """Temporarily set :attr:`record_operations` (for this thread)."""
        return OperationRecordingContext(self, record_operations)
