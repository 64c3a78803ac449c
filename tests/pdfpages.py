"""A PDF as a person sees it: each page rendered to PNG (pdftoppm) and its text read back (pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def printed_pages(data: bytes, folder: Path, name: str) -> list[str]:
    """The text of every page of the PDF `data`, after rendering each page to a PNG in `folder`."""
    assert data.startswith(b"%PDF"), data[:80]
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), "poppler-utils (scripts/ensure-services.sh)"
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / name)], check=True)
    pngs = sorted(folder.glob(f"{name}-*.png"))
    assert pngs and all(p.stat().st_size > 1000 for p in pngs), "every page renders to a picture"
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout for n in range(1, len(pngs) + 1)]
