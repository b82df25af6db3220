"""Re-make the images the README shows: a printed status sheet page and a trend chart.

Run from the repository root: `.venv/bin/python tools/docs_images.py` (needs `pdftoppm` from
poppler-utils to turn the PDF page into a PNG). The figures are DEMO figures (`desktop.models.demo`,
the same as `target-monitor demo`), generated with a fixed seed into a temporary file and
labelled as such on every image; the shipped seed and the user's database are not touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication

from desktop.models.database import open_database
from desktop.models.demo import DEMO_COLOUR, DEMO_LABEL, create_demo
from desktop.models.status_sheet import build_documents
from desktop.models.workspace import PlanWorkspace

from desktop.ui.app import create_main_window
from desktop.ui.i18n import install_translators
from desktop.ui.printing import print_font_family, write_pdf
from desktop.ui.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs"
AS_OF = "2025-06"


def label(path: Path) -> None:
    """Stamp the demo label in the image's top right corner."""
    image = QImage(str(path))
    painter = QPainter(image)
    font = QFont(print_font_family(), 1)
    font.setPixelSize(max(14, image.height() // 40))
    painter.setFont(font)
    text_rect = image.rect().adjusted(0, 6, -12, 0)
    painter.setPen(QColor(DEMO_COLOUR))
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, DEMO_LABEL)
    painter.end()
    image.save(str(path))


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is needed to turn the PDF page into a PNG")
        return 1
    app = QApplication(sys.argv[:1])
    install_translators(app, "zh_CN")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database_path = work / "demo.sqlite"
        create_demo(database_path, through=AS_OF)
        database = open_database(database_path)
        workspace = PlanWorkspace(database, as_of=AS_OF)
        department = workspace.department_named("工信局")
        pdf = work / "sheet.pdf"
        write_pdf(pdf, build_documents(workspace, department=department, notices=False))
        database.close()
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "90",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                pdf,
                work / "page",
            ],
            check=True,
        )
        shutil.copy(work / "page.png", DOCS / "status-sheet.png")
        label(DOCS / "status-sheet.png")

        settings = Settings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
        window = create_main_window(database_path, settings=settings, as_of=AS_OF)
        window.resize(1280, 800)
        window.show()
        window.tabs.setCurrentWidget(window.chart_holder)
        app.processEvents()
        assert window.chart is not None
        indicator = next(i for i in workspace.indicators.values() if i.code == "2.1.1-1")
        window.chart.show_indicator(indicator.id)
        app.processEvents()
        window.chart.export_png(DOCS / "trend-chart.png")
        label(DOCS / "trend-chart.png")
        window.close()
        window.controller.database.close()
    print(f"wrote {DOCS / 'status-sheet.png'} and {DOCS / 'trend-chart.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
