"""Qt's own words that Qt's Chinese translation (qtbase_zh_CN) lacks, seen in its file chooser
and print dialog. Listed here, they go into our translation file, where Qt finds them when its
own translation has none (`i18n.install_translators` installs both)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

QT_WORDS = (
    QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"),
    QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"),
    QT_TRANSLATE_NOOP("QPrintSettingsOutput", "Page &Set:"),
    QT_TRANSLATE_NOOP("QAbstractFileIconProvider", "Drive"),
)
