"""Tests for :mod:`ftrack_api.data`."""

import io
import os

import pytest

import ftrack_api.data


def test_data_is_abstract():
    """Data requires read and write implementations."""
    with pytest.raises(TypeError):
        ftrack_api.data.Data()


class _Minimal(ftrack_api.data.Data):
    """Data implementing only read and write."""

    def read(self, limit=None):
        return b''

    def write(self, content):
        pass


def test_minimal_data_defaults():
    """seek/tell are unsupported by default; close marks closed."""
    data = _Minimal()
    assert data.closed is False
    with pytest.raises(NotImplementedError) as error:
        data.seek(0)
    assert str(error.value) == 'Seek not supported.'
    with pytest.raises(NotImplementedError, match='Tell not supported'):
        data.tell()
    data.flush()
    data.close()
    assert data.closed is True


def test_file_reads_in_chunks(tmp_path):
    """File reads everything or up to a limit per call."""
    path = tmp_path / 'data.bin'
    path.write_bytes(b'0123456789')
    data = ftrack_api.data.File(str(path))
    assert data.mode == 'rb'
    assert data.path == str(path)
    assert data.read(4) == b'0123'
    assert data.tell() == 4
    assert data.read(4) == b'4567'
    assert data.read() == b'89'
    assert data.read(4) == b''
    data.seek(-3, os.SEEK_END)
    assert data.read() == b'789'
    data.close()
    assert data.closed
    assert data.wrapped_file.closed


def test_file_writes(tmp_path):
    """File opened for writing stores chunks written."""
    path = tmp_path / 'out.bin'
    with ftrack_api.data.File(str(path), 'wb') as data:
        data.write(b'abc')
        data.write(b'def')
    assert data.closed
    assert path.read_bytes() == b'abcdef'


def test_file_missing_raises(tmp_path):
    """Opening a missing file for reading raises an OSError."""
    with pytest.raises(OSError):
        ftrack_api.data.File(str(tmp_path / 'missing'))


def test_closed_file_rejects_access(tmp_path):
    """Reading, writing, seeking after close raise ValueError."""
    path = tmp_path / 'data.bin'
    path.write_bytes(b'x')
    data = ftrack_api.data.File(str(path))
    data.close()
    data.close()
    for call in (data.read, data.tell, lambda: data.seek(0)):
        with pytest.raises(ValueError) as error:
            call()
        assert 'closed' in str(error.value)
    with pytest.raises(ValueError):
        data.write(b'y')


def test_file_wrapper_wraps_any_file_object():
    """FileWrapper delegates to the wrapped object."""
    wrapped = io.BytesIO(b'hello')
    data = ftrack_api.data.FileWrapper(wrapped)
    assert data.read(2) == b'he'
    data.seek(0, os.SEEK_END)
    data.write(b'!')
    data.seek(0)
    assert data.read() == b'hello!'
    data.close()
    assert wrapped.closed


def test_string_holds_content_from_start():
    """String starts at the beginning; text written is read back as text."""
    data = ftrack_api.data.String('héllo')
    assert data.tell() == 0
    assert data.read() == 'héllo'
    # Positions count the UTF-8 bytes stored.
    assert data.tell() == len('héllo'.encode('utf-8'))
    data.seek(0)
    with pytest.raises(UnicodeDecodeError):
        data.read(2)
    data.close()


def test_string_bytes_and_empty():
    """String accepts bytes, and is empty without content."""
    assert ftrack_api.data.String(b'\x00\x01').read() == b'\x00\x01'
    empty = ftrack_api.data.String()
    assert empty.read() == b''
    empty.write('abc')
    empty.write(bytearray(b'def'))
    empty.seek(0)
    # Once text was written, reads give text.
    assert empty.read(4) == 'abcd'


def test_string_rejects_other_types():
    """Writing something other than text or bytes names the type."""
    data = ftrack_api.data.String()
    with pytest.raises(TypeError) as error:
        data.write(42)
    assert 'int' in str(error.value)


def test_string_uses_a_temporary_file():
    """Content is spooled to a real temporary file, not kept in memory."""
    data = ftrack_api.data.String(b'x' * 10)
    assert hasattr(data.wrapped_file, 'fileno')
    assert os.fstat(data.wrapped_file.fileno()).st_size == 10
