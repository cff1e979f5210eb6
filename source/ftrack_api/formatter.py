"""Human readable, optionally coloured, text for entities."""

from __future__ import annotations

import collections.abc
import inspect
import os
import sys

import termcolor

import ftrack_api.symbol


def _ignore_unset(entity, name, value):
    """Return whether *value* of attribute *name* has been set or loaded."""
    return value is not ftrack_api.symbol.NOT_SET


#: Useful filters to pass to :func:`format`.
FILTER = {'ignore_unset': _ignore_unset}


def _colour_enabled(stream=None):
    """Return whether coloured output should be produced for *stream*.

    Follows the common conventions: ``ANSI_COLORS_DISABLED`` or
    ``NO_COLOR`` turn colour off, ``FORCE_COLOR`` turns it on, a ``dumb``
    terminal gets none, otherwise colour is used when *stream* (standard
    output by default) is a terminal.
    """
    if os.environ.get('ANSI_COLORS_DISABLED'):
        return False
    if os.environ.get('NO_COLOR'):
        return False
    if os.environ.get('FORCE_COLOR'):
        return True
    if os.environ.get('TERM') == 'dumb':
        return False

    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, 'isatty', None)
    try:
        return bool(isatty and isatty())
    except ValueError:
        # A closed stream is certainly not a terminal.
        return False


def _can_do_colors():
    """Return whether the formatter colours its output (on standard output)."""
    return _colour_enabled()


def _termcolor_accepts_force():
    """Return whether the installed termcolor takes ``force_color``."""
    try:
        return 'force_color' in inspect.signature(termcolor.colored).parameters
    except (TypeError, ValueError):
        return False


_TERMCOLOR_FORCE = _termcolor_accepts_force()


def _coloured(text, colour=None, on_colour=None, attrs=None):
    """Return *text* coloured when colour output is enabled."""
    if not _colour_enabled():
        return text
    if _TERMCOLOR_FORCE:
        # The decision above is ours; stop termcolor second-guessing it.
        return termcolor.colored(
            text, colour, on_colour, attrs=attrs, force_color=True
        )
    return termcolor.colored(text, colour, on_colour, attrs=attrs)


def _default_header(text):
    """Return entity type *text* styled as a header."""
    return _coloured(text, 'white', 'on_blue', attrs=['bold'])


def _default_label(text):
    """Return attribute name *text* styled as a label."""
    return _coloured(text, 'blue', attrs=['bold'])


def _is_entity(value):
    """Return whether *value* behaves as an entity (typed mapping)."""
    return (
        isinstance(value, collections.abc.Mapping)
        and hasattr(value, 'entity_type')
    )


def _is_collection(value):
    """Return whether *value* is a sequence of values (not text)."""
    return isinstance(value, collections.abc.Sequence) and not isinstance(
        value, (str, bytes)
    )


def format(  # noqa: A001 - documented public name.
    entity,
    formatters=None,
    attribute_filter=None,
    recursive=False,
    indent=0,
    indent_first_line=True,
    _seen=None,
):
    """Return formatted string representing *entity*.

    The first line is the entity type; each following line is one
    attribute, sorted by name, as `` name: value``. Entity values are
    formatted in place, indented under their attribute; an entity already
    being formatted higher up (a cycle) shows as ``Type{...}``.

    *formatters* may map ``header`` (formats the entity type) and/or
    ``label`` (formats attribute names) to callables taking and returning
    text; missing keys get coloured defaults (colour only on a terminal,
    honouring ``NO_COLOR``, ``ANSI_COLORS_DISABLED`` and ``FORCE_COLOR``).

    *attribute_filter* is called as ``attribute_filter(entity, name,
    value)`` and an attribute is shown only if it returns True, e.g.
    ``FILTER['ignore_unset']``. If *recursive* is True, entities inside
    collections are formatted too, otherwise collections show as ``str()``.

    *indent* is the indentation in spaces of the whole text and
    *indent_first_line* whether the first line gets it. *_seen* is for
    internal use.

    Reading every attribute may query the server; disable auto populating
    on the session to prevent it.
    """
    formatters = dict(formatters or {})
    formatters.setdefault('header', _default_header)
    formatters.setdefault('label', _default_label)

    if _seen is None:
        _seen = frozenset()

    spacer = ' ' * indent
    first_spacer = spacer if indent_first_line else ''
    header = formatters['header'](entity.entity_type)

    # The session's identity map makes one instance per entity, so the
    # instance identity is the entity identity for cycle detection.
    if id(entity) in _seen:
        return first_spacer + header + '{...}'
    # Only the chain of ancestors counts as a cycle: an entity appearing in
    # two sibling branches is shown fully in both.
    seen = _seen | {id(entity)}

    options = dict(
        formatters=formatters,
        attribute_filter=attribute_filter,
        recursive=recursive,
    )

    lines = [first_spacer + header]
    for name, value in sorted(entity.items(), key=lambda item: item[0]):
        if attribute_filter is not None and not attribute_filter(
            entity, name, value
        ):
            continue

        # Nested text starts in the column where the value starts.
        child_indent = indent + len(name) + 3

        if _is_entity(value):
            text = format(
                value,
                indent=child_indent,
                indent_first_line=False,
                _seen=seen,
                **options
            )
        elif recursive and _is_collection(value):
            text = _format_collection(value, child_indent, seen, options)
        else:
            text = str(value)

        lines.append(
            '{0} {1}: {2}'.format(spacer, formatters['label'](name), text)
        )

    return '\n'.join(lines)


def _format_collection(collection, indent, seen, options):
    """Return the members of *collection*, one formatted block each."""
    blocks = []
    for index, member in enumerate(collection):
        if _is_entity(member):
            blocks.append(
                format(
                    member,
                    indent=indent,
                    indent_first_line=index != 0,
                    _seen=seen,
                    **options
                )
            )
        else:
            blocks.append((' ' * indent if index else '') + str(member))
    return '\n'.join(blocks)
