import os

import pytest

from fou.core.atomic import atomic_directory, write_text, write_with


def test_write_replaces_whole_file(tmp_path):
    target = tmp_path / "a" / "rapport.html"
    write_text(target, "gammal")
    write_text(target, "ny")
    assert target.read_text() == "ny"
    assert os.listdir(target.parent) == ["rapport.html"]


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "data.parquet"
    write_text(target, "bra data")

    def broken(path):
        path.write_text("halv")
        raise RuntimeError("avbrott")

    with pytest.raises(RuntimeError):
        write_with(target, broken)
    assert target.read_text() == "bra data"
    assert os.listdir(tmp_path) == ["data.parquet"]


def test_no_overwrite_mode_protects_existing(tmp_path):
    target = tmp_path / "snapshot.json"
    write_text(target, "1", overwrite=False)
    with pytest.raises(FileExistsError):
        write_text(target, "2", overwrite=False)
    assert target.read_text() == "1"


def test_atomic_directory_swaps_only_when_complete(tmp_path):
    target = tmp_path / "processed"
    with atomic_directory(target) as d:
        (d / "values.parquet").write_text("v1")
    with pytest.raises(RuntimeError), atomic_directory(target) as d:
        (d / "values.parquet").write_text("halv")
        raise RuntimeError
    assert (target / "values.parquet").read_text() == "v1"
    assert sorted(os.listdir(tmp_path)) == ["processed"]


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path) -> int:
    return os.stat(path).st_mode & 0o777


def test_written_files_and_directories_are_readable_by_others(tmp_path, umask_022):
    target = write_text(tmp_path / "rapport.html", "text")
    assert _mode(target) == 0o644
    assert _mode(write_with(tmp_path / "bild.png", lambda p: p.write_bytes(b"png"))) == 0o644
    with atomic_directory(tmp_path / "processed") as d:
        (d / "values.parquet").write_text("v")
    assert _mode(tmp_path / "processed") == 0o755


def test_replacing_a_file_keeps_its_permissions(tmp_path, umask_022):
    target = write_text(tmp_path / "index.html", "v1")
    os.chmod(target, 0o640)
    write_text(target, "v2")
    assert _mode(target) == 0o640 and target.read_text() == "v2"


def test_a_strict_umask_is_respected(tmp_path):
    old = os.umask(0o077)
    try:
        assert _mode(write_text(tmp_path / "privat.txt", "x")) == 0o600
    finally:
        os.umask(old)
