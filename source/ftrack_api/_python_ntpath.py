"""Windows path functions, importable as upstream's ``ftrack_api._python_ntpath``.

Upstream ships its own copy of an old ``ntpath`` under this name. The
standard library's ``ntpath`` does the same job on every supported Python,
so its names are re-exported, plus the two functions the old module had
and the standard one dropped: :func:`splitunc` and :func:`walk`.
"""

import os
from ntpath import *  # noqa: F401,F403
from ntpath import __all__ as _standard_names
from ntpath import splitdrive as _splitdrive

__all__ = list(_standard_names) + ['splitunc', 'walk']


def splitunc(p):
    """Split *p* into ``(unc mount point, rest)``; ``('', p)`` for other paths.

    The mount point is ``\\\\host\\share`` (or with forward slashes); a drive
    letter path or a bare ``\\\\host`` has none.
    """
    drive, rest = _splitdrive(p)
    if len(drive) > 2 and drive[:2] in ('\\\\', '//') and drive.count(drive[0]) >= 3:
        return drive, rest
    return '', p


def walk(top, func, arg):
    """Call ``func(arg, directory, names)`` for *top* and each directory below.

    *names* is the list of entries of *directory*; *func* may remove names
    from it to stop the walk going into them. A *top* that cannot be listed
    is skipped. (Upstream's version fails with :exc:`AttributeError` on
    Python 3.)
    """
    try:
        names = os.listdir(top)
    except OSError:
        return
    func(arg, top, names)
    for name in names:
        path = os.path.join(top, name)
        if os.path.isdir(path) and not os.path.islink(path):
            walk(path, func, arg)
