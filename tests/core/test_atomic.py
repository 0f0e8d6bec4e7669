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
