"""Print-ready A4 PDF from the same HTML, by WeasyPrint, with the CJK font embedded.

The @font-face source is the installed Noto CJK file (render/fonts.py). A .ttc holds
several faces (JP, KR, SC, TC, HK); the Simplified Chinese one is cut out with HarfBuzz
down to the characters of this document (milliseconds) and handed over as a data: URL,
which WeasyPrint embeds as it is. Pointing WeasyPrint at the whole collection makes it
subset 65,000 glyphs with fontTools (without the HarfBuzz-subset system library), 10-25 s
per document. Without uharfbuzz installed the file itself is used: slow, but correct.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.reports.render.fonts import cjk_fonts

PRE_SUBSET = "data:font/otf"
DROPPED_TABLES = (b"GSUB", b"GPOS", b"BASE", b"JSTF", b"DSIG")
ALWAYS = "".join(chr(c) for c in range(32, 127)) + "第页共/—…·×、,:;()"


@lru_cache(maxsize=4)
def face_index(path: Path) -> int:
    """The Simplified Chinese face of a collection (0 for a single-face file)."""
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection

    names = [f["name"].getDebugName(1) or "" for f in TTCollection(str(path), lazy=True).fonts]
    return next((i for i, n in enumerate(names) if n.endswith(" SC") or "SC " in n), 0)


@lru_cache(maxsize=4)
def _blob(path: Path) -> Any:
    import uharfbuzz as hb

    return hb.Blob.from_file_path(str(path))


def subset_font(path: Path, text: str) -> bytes | None:
    """The font's SC face reduced to the characters in `text`; None without uharfbuzz."""
    try:
        import uharfbuzz as hb
    except ImportError:
        return None
    face = hb.Face(_blob(path), face_index(path))
    wanted = hb.SubsetInput()
    for code in sorted({ord(c) for c in text + ALWAYS}):
        wanted.unicode_set.add(code)
    # Without layout tables every character is drawn with its cmap glyph, so the PDF's
    # ToUnicode map (built from the cmap for an embedded whole font) extracts as typed.
    for tag in DROPPED_TABLES:
        wanted.drop_table_tag_set.add(int.from_bytes(tag, "big"))
    return bytes(hb.subset(face, wanted).blob.data)


def _face(path: Path, weight: str, text: str | None) -> str:
    data = subset_font(path, text) if text is not None else None
    src = (f"data:font/otf;base64,{base64.b64encode(data).decode('ascii')}" if data
           else path.as_uri())
    return f'@font-face {{ font-family: "JX CJK"; src: url("{src}"); font-weight: {weight}; }}'


def font_face_css(text: str | None = None) -> str:
    """@font-face rules for the installed CJK font (raises CjkFontMissing if none)."""
    regular, bold = cjk_fonts()
    return "\n".join((_face(regular, "normal", text), _face(bold or regular, "bold", text),
                      'html, .mono { font-family: "JX CJK", sans-serif; }'))


def html_to_pdf(html: str) -> bytes:
    """A4 PDF bytes; the font subset is embedded, so any reader shows the Chinese."""
    from weasyprint import CSS, HTML  # heavy import: only when a PDF is asked for
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    # Charts and fonts are data: URLs (or the font file); nothing is fetched over a network.
    fetcher = URLFetcher(allowed_protocols=("data", "file"))
    fonts = FontConfiguration()
    css = font_face_css(html)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    # Already cut to this document's characters: embed as is (WeasyPrint's own fontTools
    # pass would take seconds per face without the HarfBuzz-subset system library).
    return bytes(document.write_pdf(stylesheets=[CSS(string=css, font_config=fonts, url_fetcher=fetcher)],
                                    font_config=fonts, full_fonts=PRE_SUBSET in css))
