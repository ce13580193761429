"""Global hotkeys' settings page and controller: off by default; when on (and the desktop
allows it, X11), answer / hang up / mute / toggle Available work from any window."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QKeySequenceEdit,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from homeagent.core.hotkey_settings import HOTKEY_ACTIONS, HotkeySettings, HotkeySettingsFile
from homeagent.ui.qt.hotkeys import Availability, GlobalHotkeys, availability
from homeagent.ui.qt.labels import key_text


class HotkeysPage(QDialog):
    """A switch, one key field per action, and what the desktop allows."""

    settings_chosen = Signal(object)  # payload: HotkeySettings (Save pressed)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HotkeysPage")
        self.setWindowTitle(self.tr("Global hotkeys"))
        self.enabled = QCheckBox(self.tr("&Use global hotkeys (they work from any window)"), self)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setObjectName("Notice")
        self.edits: dict[str, QKeySequenceEdit] = {}
        self.status: dict[str, QLabel] = {}
        form = QFormLayout()
        titles = {
            "answer": self.tr("&Answer"),
            "hangup": self.tr("&Hang up"),
            "mute": self.tr("&Mute / unmute"),
            "toggle_available": self.tr("&Toggle Available"),
        }
        for name in HOTKEY_ACTIONS:
            edit = QKeySequenceEdit(self)
            edit.setMaximumSequenceLength(1)
            edit.setAccessibleName(titles[name].replace("&", ""))
            status = QLabel(self)
            status.setProperty("role", "muted")
            label = QLabel(titles[name], self)
            label.setBuddy(edit)
            row = QVBoxLayout()
            row.addWidget(edit)
            row.addWidget(status)
            form.addRow(label, row)
            self.edits[name] = edit
            self.status[name] = status
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.enabled.toggled.connect(self._on_enabled_toggled)

    def show_settings(
        self, settings: HotkeySettings, allowed: Availability, grabbed: Mapping[str, bool]
    ) -> None:
        """Fill the fields; say what the desktop allows and which keys another program holds."""
        self.enabled.setChecked(settings.enabled)
        for name, edit in self.edits.items():
            edit.setKeySequence(QKeySequence(settings.keys.get(name, "")))
        self._on_enabled_toggled(settings.enabled)
        self.note.setText(availability_text(allowed))
        self.note.setVisible(allowed is not Availability.AVAILABLE)
        for name, status in self.status.items():
            keys = settings.keys.get(name, "")
            taken = settings.enabled and allowed is Availability.AVAILABLE and keys
            status.setText(
                self.tr("{keys} is already used by another program: choose another.").format(
                    keys=key_text(keys)
                )
                if taken and not grabbed.get(name, False)
                else ""
            )
            status.setVisible(bool(status.text()))

    def chosen(self) -> HotkeySettings:
        keys = {n: e.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
                for n, e in self.edits.items()}  # fmt: skip
        return HotkeySettings(enabled=self.enabled.isChecked(), keys=keys)

    def _on_enabled_toggled(self, on: bool) -> None:
        for edit in self.edits.values():
            edit.setEnabled(on)

    def _on_buttons_accepted(self) -> None:
        self.settings_chosen.emit(self.chosen())


def availability_text(allowed: Availability) -> str:
    """Why global hotkeys cannot work here, in words ("" when they can)."""
    if allowed is Availability.WAYLAND:
        return QCoreApplication.translate(
            "Hotkeys",
            "Not available on this desktop (Wayland): Wayland lets no program read keys "
            "meant for another window. Use the shortcuts in the HomeAgent window.",
        )
    if allowed is Availability.UNSUPPORTED:
        return QCoreApplication.translate(
            "Hotkeys",
            "Not available on this desktop: use the shortcuts in the HomeAgent window.",
        )
    if allowed is Availability.NO_X11_LIBRARY:
        return QCoreApplication.translate(
            "Hotkeys", "Not available: the X11 library (libX11) is not installed."
        )
    return ""


class HotkeysController(QObject):
    """Loads the settings, grabs the keys when they are on, triggers the window's action
    for a pressed hotkey, and runs the page. `run` writes off the GUI thread."""

    def __init__(
        self,
        *,
        file: HotkeySettingsFile,
        trigger: Callable[[str], None],
        run: Callable[[Callable[[], None]], None],
        parent_widget: QWidget | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._file = file
        self._run = run
        self._trigger = trigger
        self._parent_widget = parent_widget
        self.hotkeys = GlobalHotkeys(self)
        self.hotkeys.triggered.connect(self._on_hotkeys_triggered)
        self.page: HotkeysPage | None = None
        self.settings = file.load()
        self.grabbed: dict[str, bool] = {}
        self.apply(self.settings)

    def apply(self, settings: HotkeySettings) -> None:
        """Grab (enabled, on X11) or release everything."""
        self.settings = settings
        if settings.enabled and availability() is Availability.AVAILABLE:
            keys = {n: k for n, k in settings.keys.items() if k}
            self.grabbed = self.hotkeys.start(keys)
        else:
            self.hotkeys.stop()
            self.grabbed = {}

    def open_page(self) -> HotkeysPage:
        if self.page is None:
            self.page = HotkeysPage(self._parent_widget)
            self.page.settings_chosen.connect(self._on_page_settings_chosen)
        self.page.show_settings(self.settings, availability(), self.grabbed)
        self.page.show()
        self.page.raise_()
        return self.page

    def stop(self) -> None:
        self.hotkeys.stop()

    def _on_page_settings_chosen(self, settings: HotkeySettings) -> None:
        self.apply(settings)
        self._run(lambda: self._file.save(settings))
        if self.page is not None:
            self.page.show_settings(settings, availability(), self.grabbed)

    def _on_hotkeys_triggered(self, name: str) -> None:
        self._trigger(name)
