"""The package's public surface: every top-level name resolves and is documented."""

from __future__ import annotations

import pytest

import fou


@pytest.mark.parametrize("name", fou.__all__)
def test_public_name_resolves_and_is_documented(name):
    obj = getattr(fou, name)
    if callable(obj) and not isinstance(obj, type):
        doc = obj.__doc__ or ""
        assert "Parameters" in doc or "Examples" in doc, name


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError):
        fou.does_not_exist  # noqa: B018
