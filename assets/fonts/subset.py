#!/usr/bin/env python3
"""Reduce Noto Sans CJK SC to what a certificate needs; run once, commit the result.

Usage (from the repository root, with fonttools==4.55.3 from pip):

    apt-get download fonts-noto-cjk && dpkg -x fonts-noto-cjk_*.deb /tmp/noto
    python3 assets/fonts/subset.py \
        /tmp/noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

Keeps printable ASCII, Latin-1, general punctuation, CJK symbols and punctuation, the
fullwidth forms, every character of GB 2312 (its 6,763 hanzi and its symbols) and the
characters the application prints itself (collected from src/certificates/).
"""
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_TTC = sys.argv[1]
# index 2 of the collection is "Noto Sans CJK SC" (Simplified Chinese glyph forms)
SC_INDEX = 2


def gb2312() -> set[str]:
    chars = set()
    for row in range(0xA1, 0xF8):
        for col in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, col]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def ranges() -> set[str]:
    spans = [(0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x203B),
             (0x3000, 0x303F), (0xFF01, 0xFF5E), (0x2160, 0x216B), (0x2460, 0x2473)]
    return {chr(c) for a, b in spans for c in range(a, b + 1)}


def application() -> set[str]:
    root = HERE.parent.parent / "src" / "certificates"
    text = "".join(p.read_text(encoding="utf-8") for p in root.rglob("*.rs")) if root.exists() else ""
    return {c for c in text if ord(c) > 0x7F}


chars = gb2312() | ranges() | application()
font = TTCollection(SOURCE_TTC).fonts[SC_INDEX]
options = subset.Options()
options.layout_features = ["*"]
options.name_IDs = ["*"]
options.name_languages = ["*"]
options.notdef_outline = True
options.hinting = False
options.desubroutinize = False
subsetter = subset.Subsetter(options)
subsetter.populate(text="".join(sorted(chars)))
subsetter.subset(font)
out = HERE / "NotoSansCJKsc-Regular-subset.otf"
font.save(out)
print(f"{len(chars)} characters -> {out} ({out.stat().st_size} bytes)")
