"""The lead console's screenshot script draws its four panels over the demo fake."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from homeagent.testing.lead_screens import main


def test_the_four_panels_are_drawn_in_english(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert main([str(tmp_path), "--lang", "en"]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["lead_alerts_en.png", "lead_day_en.png", "lead_help_en.png",
                     "lead_messages_en.png"]  # fmt: skip
    image = QImage(str(tmp_path / "lead_day_en.png"))
    assert (image.width(), image.height()) == (1366, 768)
