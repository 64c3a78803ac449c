"""The installed CJK font: embedded in every PDF and used for chart labels."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from shared.errors import DomainError

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts")
# Simplified-Chinese-capable faces, best first (Debian/Ubuntu fonts-noto-cjk, then others).
PATTERNS = ("NotoSansCJK*-Regular.tt[cf]", "NotoSansCJK*Regular*.otf", "NotoSansSC*Regular*",
            "*SourceHanSans*Regular*", "*CJK*Regular*", "wqy-*.tt[cf]", "*CJK*")


class CjkFontMissing(DomainError):
    status = 503
    title = "缺少中文字体 (CJK font missing)"


@lru_cache(maxsize=1)
def cjk_fonts() -> tuple[Path, Path | None]:
    """(regular, bold or None): the first installed CJK font file; raises when there is none."""
    for pattern in PATTERNS:
        for folder in FONT_DIRS:
            found = sorted(folder.glob(f"**/{pattern}")) if folder.is_dir() else []
            if found:
                regular = found[0]
                bold = regular.with_name(regular.name.replace("Regular", "Bold"))
                return regular, (bold if bold != regular and bold.exists() else None)
    raise CjkFontMissing(
        "未安装中文字体,无法生成 PDF (no CJK font installed; install fonts-noto-cjk, "
        "e.g. `apt-get install fonts-noto-cjk`)")

