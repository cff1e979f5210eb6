"""Part sizes, thresholds and progress of the server accessor's transfers."""

import tempfile

import ftrack_api.accessor._transfer as transfer

MiB = 1024 * 1024


def test_part_sizes_follow_the_file_size(monkeypatch):
    monkeypatch.delenv('FTRACK_API_UPLOAD_PART_SIZE', raising=False)
    assert transfer.part_size_for(100 * MiB) == 8 * MiB
    assert transfer.part_size_for(512 * MiB) == 16 * MiB
    assert transfer.part_size_for(4096 * MiB) == 32 * MiB
    assert transfer.part_size_for(20 * 1024 * MiB) == 64 * MiB
    assert transfer.part_size_for(100 * 1024 * MiB) == 128 * MiB


def test_part_size_setting_never_makes_more_than_ten_thousand_parts(monkeypatch):
    monkeypatch.setenv('FTRACK_API_UPLOAD_PART_SIZE', '1024')
    assert transfer.part_size_for(1000) == 1024
    assert transfer.part_size_for(100 * MiB) == -(-100 * MiB // 10000)


def test_threshold_setting_and_bad_values(monkeypatch, caplog):
    monkeypatch.delenv('FTRACK_API_MULTIPART_THRESHOLD', raising=False)
    assert transfer.multipart_threshold() == 16 * MiB
    monkeypatch.setenv('FTRACK_API_MULTIPART_THRESHOLD', '5000')
    assert transfer.multipart_threshold() == 5000
    monkeypatch.setenv('FTRACK_API_MULTIPART_THRESHOLD', 'lots')
    assert transfer.multipart_threshold() == 16 * MiB
    assert "'lots'" in caplog.text


def test_progress_reader_reads_its_range_and_reports_it():
    handle = tempfile.TemporaryFile()
    handle.write(b'0123456789')
    handle.flush()
    seen = []
    reporter = transfer.Reporter(lambda done, total: seen.append((done, total)), 10, 2)
    reader = transfer.ProgressReader(handle, 2, 5, reporter)
    assert len(reader) == 5
    assert reader.read(3) + reader.read() + reader.read() == b'23456'
    assert seen == [(2, 10), (5, 10), (7, 10)]


def test_transfer_progress_nests_and_restores():
    assert transfer.current_progress() is None
    with transfer.transfer_progress(print):
        with transfer.transfer_progress(len):
            assert transfer.current_progress() is len
        assert transfer.current_progress() is print
    assert transfer.current_progress() is None
