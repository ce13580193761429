"""The desktop's tests build real windows: the same Qt fixtures as the UI tests."""

from tests.unit.ui.conftest import _widgets_app, french, french_qm

__all__ = ["_widgets_app", "french", "french_qm"]
