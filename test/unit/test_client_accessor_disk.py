"""Tests for :mod:`ftrack_api.accessor.disk` and the accessor interface."""

import os

import pytest

import ftrack_api.data
import ftrack_api.exception as exception
import ftrack_api.symbol
from ftrack_api.accessor.base import Accessor
from ftrack_api.accessor.disk import DiskAccessor


@pytest.fixture
def prefix(tmp_path):
    """Return an empty directory used as accessor prefix."""
    root = tmp_path / 'storage'
    root.mkdir()
    return str(root)


@pytest.fixture
def accessor(prefix):
    """Return a disk accessor on *prefix*."""
    return DiskAccessor(prefix)


def test_accessor_interface_is_abstract():
    """Accessor cannot be instantiated without its abstract methods."""
    with pytest.raises(TypeError):
        Accessor()


def test_unexpected_keyword_is_named(prefix):
    """An unknown keyword argument raises a TypeError naming it."""
    with pytest.raises(TypeError) as error:
        DiskAccessor(prefix, colour='red')
    assert 'colour' in str(error.value)


class _MinimalAccessor(Accessor):
    """Accessor implementing only the abstract methods."""

    def list(self, resource_identifier):
        return []

    def exists(self, resource_identifier):
        return False

    def is_file(self, resource_identifier):
        return False

    def is_container(self, resource_identifier):
        return False

    def is_sequence(self, resource_identifier):
        return False

    def open(self, resource_identifier, mode='rb'):
        raise NotImplementedError

    def remove(self, resource_identifier):
        self.removed = resource_identifier

    def make_container(self, resource_identifier, recursive=True):
        pass

    def get_container(self, resource_identifier):
        return ''


def test_base_defaults():
    """Paths and URLs are unsupported by default; remove_container removes."""
    minimal = _MinimalAccessor()
    with pytest.raises(exception.AccessorUnsupportedOperationError) as error:
        minimal.get_filesystem_path('a/b')
    assert str(error.value) == "Operation b'get_filesystem_path' unsupported."
    assert error.value.details['resource_identifier'] == 'a/b'
    with pytest.raises(exception.AccessorUnsupportedOperationError) as error:
        minimal.get_url('a/b')
    assert str(error.value) == "Operation b'get_url' unsupported."
    minimal.remove_container('c')
    assert minimal.removed == 'c'


def test_get_filesystem_path(prefix, accessor):
    """Relative and absolute-in-prefix identifiers map into the prefix."""
    expected = os.path.join(prefix, 'test.txt')
    assert accessor.get_filesystem_path('test.txt') == expected
    assert accessor.get_filesystem_path(expected) == expected
    assert accessor.get_filesystem_path('a/./b/../c.txt') == os.path.join(
        prefix, 'a', 'c.txt'
    )
    assert accessor.get_filesystem_path('') == os.path.normpath(prefix)


@pytest.mark.parametrize('identifier', ['../outside.txt', 'a/../../x', '/etc/passwd'])
def test_get_filesystem_path_outside_prefix(accessor, identifier):
    """Identifiers escaping the prefix are rejected, naming them."""
    with pytest.raises(exception.AccessorFilesystemPathError) as error:
        accessor.get_filesystem_path(identifier)
    assert identifier in str(error.value)


def test_sibling_directory_with_common_prefix_is_outside(prefix, accessor):
    """/x/storage2 is not inside /x/storage."""
    with pytest.raises(exception.AccessorFilesystemPathError):
        accessor.get_filesystem_path(prefix + '2/file.txt')


def test_get_filesystem_path_rejects_non_paths(accessor):
    """A non-path identifier is reported."""
    with pytest.raises(exception.AccessorFilesystemPathError) as error:
        accessor.get_filesystem_path(None)
    assert 'None' in str(error.value)


def test_empty_prefix_uses_identifiers_as_given(tmp_path):
    """With no prefix, absolute identifiers are their own paths."""
    accessor = DiskAccessor(prefix='')
    path = str(tmp_path / 'file.txt')
    assert accessor.get_filesystem_path(path) == path
    assert accessor.get_container(path) == str(tmp_path)
    # As upstream: a bare name has the container '', a root is its own.
    assert accessor.get_container('file.txt') == ''
    root = os.path.abspath(os.sep)
    assert accessor.get_container(root) == root


def test_write_read_in_chunks(accessor, prefix):
    """Data written through open() is read back chunk by chunk."""
    accessor.make_container('a/b')
    with accessor.open('a/b/file.bin', 'wb') as data:
        assert isinstance(data, ftrack_api.data.File)
        data.write(b'x' * 10)
    assert os.path.getsize(os.path.join(prefix, 'a', 'b', 'file.bin')) == 10

    data = accessor.open('a/b/file.bin')
    chunks = []
    while True:
        chunk = data.read(4)
        if not chunk:
            break
        chunks.append(chunk)
    data.close()
    assert chunks == [b'xxxx', b'xxxx', b'xx']


def test_open_missing_for_reading(accessor):
    """Reading a missing file names the resource identifier."""
    with pytest.raises(exception.AccessorResourceNotFoundError) as error:
        accessor.open('missing.txt')
    assert str(error.value) == "Resource not found: b'missing.txt'"


def test_open_into_missing_parent(accessor):
    """Writing into a missing directory reports the parent as missing."""
    with pytest.raises(exception.AccessorParentResourceNotFoundError) as error:
        accessor.open('nowhere/file.txt', 'wb')
    assert str(error.value) == "Parent resource is missing: b'nowhere/file.txt'"


def test_open_container_is_invalid(accessor):
    """A container cannot be opened as a file."""
    accessor.make_container('folder')
    with pytest.raises(exception.AccessorResourceInvalidError) as error:
        accessor.open('folder')
    assert 'folder' in str(error.value)


def test_exists_is_file_is_container(accessor):
    """Predicates reflect the filesystem."""
    accessor.make_container('dir')
    with accessor.open('dir/file.txt', 'wb') as data:
        data.write(b'1')
    assert accessor.exists('dir') and accessor.exists('dir/file.txt')
    assert not accessor.exists('nothing')
    assert accessor.is_container('dir') and not accessor.is_container('dir/file.txt')
    assert accessor.is_file('dir/file.txt') and not accessor.is_file('dir')


def test_is_sequence_unsupported(accessor):
    """The disk accessor cannot tell sequences."""
    with pytest.raises(exception.AccessorUnsupportedOperationError) as error:
        accessor.is_sequence('a')
    assert 'is_sequence' in str(error.value)


def test_list(accessor):
    """list() returns sorted identifiers of the entries."""
    accessor.make_container('dir/sub')
    for name in ('b.txt', 'a.txt'):
        with accessor.open(os.path.join('dir', name), 'wb'):
            pass
    assert accessor.list('dir') == [
        os.path.join('dir', 'a.txt'),
        os.path.join('dir', 'b.txt'),
        os.path.join('dir', 'sub'),
    ]
    assert accessor.list('dir/sub') == []


def test_list_errors(accessor):
    """Listing a missing or non-container resource raises."""
    with pytest.raises(exception.AccessorResourceNotFoundError) as error:
        accessor.list('missing')
    assert 'missing' in str(error.value)
    with accessor.open('file.txt', 'wb'):
        pass
    with pytest.raises(exception.AccessorResourceInvalidError) as error:
        accessor.list('file.txt')
    assert 'file.txt' in str(error.value)


def test_remove(accessor):
    """Files and empty containers are removed; errors name the resource."""
    accessor.make_container('dir')
    with accessor.open('dir/file.txt', 'wb'):
        pass

    with pytest.raises(exception.AccessorContainerNotEmptyError) as error:
        accessor.remove('dir')
    assert str(error.value) == "Container is not empty: b'dir'"
    assert accessor.exists('dir/file.txt')

    accessor.remove('dir/file.txt')
    assert not accessor.exists('dir/file.txt')
    accessor.remove_container('dir')
    assert not accessor.exists('dir')

    with pytest.raises(exception.AccessorResourceNotFoundError) as error:
        accessor.remove('dir')
    assert str(error.value) == "Resource not found: b'dir'"


def test_make_container(accessor):
    """Containers are made recursively or not, existing ones kept."""
    accessor.make_container('a/b/c')
    assert accessor.is_container('a/b/c')
    accessor.make_container('a/b/c')
    accessor.make_container('a/d', recursive=False)
    assert accessor.is_container('a/d')

    with pytest.raises(exception.AccessorParentResourceNotFoundError) as error:
        accessor.make_container('x/y', recursive=False)
    assert 'x/y' in str(error.value)

    with accessor.open('a/file', 'wb'):
        pass
    with pytest.raises(exception.AccessorResourceInvalidError):
        accessor.make_container('a/file')


def test_get_container(prefix, accessor):
    """The container is given relative to the prefix, as upstream."""
    assert accessor.get_container('a/b/c.txt') == os.path.join('a', 'b')
    assert accessor.get_container('c.txt') == ''
    absolute = os.path.join(prefix, 'a', 'c.txt')
    assert accessor.get_container(absolute) == 'a'
    with pytest.raises(exception.AccessorParentResourceNotFoundError) as error:
        accessor.get_container('')
    assert str(error.value) == (
        "Could not determine container for b'' as container falls outside of "
        "configured prefix.")


def test_permission_denied_is_translated(accessor, prefix):
    """An OS permission error becomes AccessorPermissionDeniedError."""
    if hasattr(os, 'geteuid') and os.geteuid() == 0:
        pytest.skip('root ignores file permissions')
    accessor.make_container('locked')
    os.chmod(os.path.join(prefix, 'locked'), 0o500)
    try:
        with pytest.raises(exception.AccessorPermissionDeniedError) as error:
            accessor.open('locked/file.txt', 'wb')
        assert 'locked/file.txt' in str(error.value)
        assert isinstance(error.value.__cause__, PermissionError)
    finally:
        os.chmod(os.path.join(prefix, 'locked'), 0o700)


def test_copy_between_accessors_in_chunks(tmp_path):
    """Data moves between two disk accessors by CHUNK_SIZE reads."""
    source = DiskAccessor(str(tmp_path))
    os.mkdir(str(tmp_path / 'target'))
    target = DiskAccessor(str(tmp_path / 'target'))
    payload = os.urandom(ftrack_api.symbol.CHUNK_SIZE * 2 + 17)
    with source.open('source.bin', 'wb') as data:
        data.write(payload)

    with source.open('source.bin') as reader, target.open('copy.bin', 'wb') as writer:
        while True:
            chunk = reader.read(ftrack_api.symbol.CHUNK_SIZE)
            if not chunk:
                break
            writer.write(chunk)

    with target.open('copy.bin') as data:
        assert data.read() == payload


@pytest.mark.parametrize(
    'error, operation, expected',
    [
        (FileNotFoundError(2, 'gone'), 'open', exception.AccessorResourceNotFoundError),
        (PermissionError(13, 'denied'), 'open', exception.AccessorPermissionDeniedError),
        (OSError(39, 'not empty'), 'remove', exception.AccessorContainerNotEmptyError),
        (NotADirectoryError(20, 'not dir'), 'list', exception.AccessorResourceInvalidError),
        (OSError(28, 'disk full'), 'open', exception.AccessorOperationFailedError),
    ],
)
def test_os_errors_are_translated(error, operation, expected):
    """Each OS error maps to its accessor error, chained to the cause."""
    import errno

    from ftrack_api.accessor.disk import error_handler

    if expected is exception.AccessorContainerNotEmptyError:
        error = OSError(errno.ENOTEMPTY, 'not empty')
    with pytest.raises(expected) as raised:
        with error_handler(operation=operation, resource_identifier='a/b.txt'):
            raise error
    assert type(raised.value) is expected
    assert raised.value.details['resource_identifier'] == 'a/b.txt'
    assert raised.value.details['operation'] == operation
    assert raised.value.__cause__ is error


def test_error_handler_passes_other_errors_and_re_exports():
    """Non-OS errors pass through; the accessor errors import from disk too."""
    import ftrack_api.accessor.disk as disk

    with pytest.raises(ValueError):
        with disk.error_handler(operation='open'):
            raise ValueError('v')
    assert disk.AccessorResourceNotFoundError is exception.AccessorResourceNotFoundError
    with pytest.raises(exception.AccessorOperationFailedError):
        with disk.error_handler():
            raise OSError(17, 'exists')


def test_symbolic_links_out_of_the_prefix_are_refused(tmp_path):
    """Read, list, write and remove through a link leaving the prefix fail."""
    outside = tmp_path / 'outside'
    outside.mkdir()
    (outside / 'secret.txt').write_text('secret')
    prefix = tmp_path / 'prefix'
    prefix.mkdir()
    os.symlink(str(outside), str(prefix / 'link'))
    os.symlink(str(outside / 'secret.txt'), str(prefix / 'file-link.txt'))
    (prefix / 'inside').mkdir()
    os.symlink(str(prefix / 'inside'), str(prefix / 'inner-link'))
    accessor = DiskAccessor(prefix=str(prefix))
    for identifier in ('link/secret.txt', 'file-link.txt', 'link'):
        with pytest.raises(exception.AccessorFilesystemPathError):
            accessor.open(identifier, 'rb')
    with pytest.raises(exception.AccessorFilesystemPathError):
        accessor.list('link')
    with pytest.raises(exception.AccessorFilesystemPathError):
        accessor.open('link/new.txt', 'wb')
    with pytest.raises(exception.AccessorFilesystemPathError):
        accessor.remove('link/secret.txt')
    assert (outside / 'secret.txt').read_text() == 'secret'
    assert not (outside / 'new.txt').exists()
    # A link staying inside the prefix is fine.
    with accessor.open('inner-link/ok.txt', 'wb') as data:
        data.write(b'ok')
    assert (prefix / 'inside' / 'ok.txt').read_bytes() == b'ok'
