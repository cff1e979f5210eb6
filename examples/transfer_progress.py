"""Transfers: upload a large file in parts, with a progress bar, and read it back.

Connects with ``FTRACK_SERVER``, ``FTRACK_API_USER`` and ``FTRACK_API_KEY``;
for example
``python -m ftrack_local_server run -- python examples/transfer_progress.py``.
Uses ``tqdm`` for the bar when it is installed, else prints percentages.
"""

import os
import tempfile

import ftrack_api
from ftrack_api.accessor.server import transfer_progress


def progress_printer(label):
    """Return a progress callback: a tqdm bar if tqdm is installed, else printed steps."""
    try:
        import tqdm
    except ImportError:
        shown = set()

        def report(done, total):
            percent = int(100 * done / total) if total else 100
            if percent // 25 not in shown:
                shown.add(percent // 25)
                print('{0}: {1}%'.format(label, percent))
        return report
    bar = tqdm.tqdm(desc=label, unit='B', unit_scale=True)

    def report(done, total):
        bar.total = total
        bar.update(done - bar.n)
        if total is not None and done >= total:
            bar.close()
    return report


# Anything above 4 MiB goes in 1 MiB parts here (the defaults are 16 MiB
# and 8 MiB); parts are sent in parallel and survive a failure.
os.environ.setdefault('FTRACK_API_MULTIPART_THRESHOLD', str(4 * 1024 * 1024))
os.environ.setdefault('FTRACK_API_UPLOAD_PART_SIZE', str(1024 * 1024))

session = ftrack_api.Session()
server_location = session.query('Location where name is "ftrack.server"').one()

folder = tempfile.mkdtemp()
path = os.path.join(folder, 'plate.exr')
with open(path, 'wb') as stream:
    stream.write(os.urandom(10 * 1024 * 1024))

# A callback for one call...
component = session.create_component(
    path, location=server_location, progress=progress_printer('upload'))

# ... or for every transfer of a block.
with transfer_progress(progress_printer('download')):
    handle = server_location.accessor.open(
        server_location.get_resource_identifier(component), 'rb')
    try:
        first_block = handle.read(1024 * 1024)
    finally:
        handle.close()

with open(path, 'rb') as stream:
    assert stream.read(1024 * 1024) == first_block
print('uploaded and read back', component['name'] + component['file_type'])
session.close()
