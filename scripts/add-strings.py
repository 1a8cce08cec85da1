#!/usr/bin/env python3
"""Adds or updates strings in a resx pair (X.resx for English, X.ja.resx for Japanese).

Usage: scripts/add-strings.py src/Fukkyu.Server/Incidents/IncidentStrings KEY "English" "日本語" [KEY "en" "ja" ...]
Creates the pair when it does not exist. Keeps existing keys and their order.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

HEADER = """<?xml version="1.0" encoding="utf-8"?>
<root>
  <resheader name="resmimetype"><value>text/microsoft-resx</value></resheader>
  <resheader name="version"><value>2.0</value></resheader>
  <resheader name="reader"><value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
  <resheader name="writer"><value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value></resheader>
</root>
"""


def upsert(path: Path, items):
    if not path.exists():
        path.write_text(HEADER, encoding="utf-8")
    tree = ET.parse(path)
    root = tree.getroot()
    existing = {d.get("name"): d for d in root.findall("data")}
    for key, value in items:
        d = existing.get(key)
        if d is None:
            d = ET.SubElement(root, "data", {"name": key, "xml:space": "preserve"})
            ET.SubElement(d, "value")
            existing[key] = d
        d.find("value").text = value
    ET.indent(tree, space="  ")
    body = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n", encoding="utf-8")


def main(argv):
    if len(argv) < 5 or (len(argv) - 2) % 3 != 0:
        print(__doc__)
        return 2
    base = argv[1]
    triples = [argv[i:i + 3] for i in range(2, len(argv), 3)]
    upsert(Path(base + ".resx"), [(k, en) for k, en, _ in triples])
    upsert(Path(base + ".ja.resx"), [(k, ja) for k, _, ja in triples])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
