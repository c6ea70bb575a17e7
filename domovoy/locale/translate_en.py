"""Fill the English catalogue from the translation table en.tsv.

The UI's source strings are Russian; en.tsv (and en-<app>.tsv) map each Russian msgid to its
English text (plural entries carry a singular and a plural form). Workflow after strings change:

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=var \
        --ignore=bench --ignore=tests
    .venv/bin/pip install polib          # a tool for this script only, not a dependency
    .venv/bin/python domovoy/locale/translate_en.py   # lists msgids missing from en.tsv
    # add the missing lines to en.tsv, run the script again, then:
    .venv/bin/python manage.py compilemessages --ignore=.venv

The script exits with status 1 while any msgid lacks a translation, and drops fuzzy flags
and obsolete entries so that the catalogue only says what the table says.
"""

import re
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
# en.tsv, plus one table per app where an app keeps its own (en-outages.tsv, ...).
TABLES = sorted(HERE.glob("en*.tsv"))
CATALOGUE = HERE / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def load_table(path):
    table = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
            raise SystemExit(f"{path.name}:{number}: expected 2 or 3 tab-separated fields")
        if parts[0] in table:
            raise SystemExit(f"{path.name}:{number}: duplicate msgid {parts[0]!r}")
        table[parts[0]] = tuple(parts[1:])
    return table


def check_placeholders(msgid, text):
    if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text)):
        raise SystemExit(f"placeholders differ: {msgid!r} -> {text!r}")


def fill(po, table):
    missing, used = [], set()
    for entry in po.obsolete_entries():
        po.remove(entry)
    for entry in po:
        # A msgid with a context (pgettext) is written "context|msgid" in the table.
        key = f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid
        if key not in table:
            missing.append(entry)
            continue
        used.add(key)
        forms = table[key]
        if entry.msgid_plural:
            if len(forms) != 2:
                raise SystemExit(f"plural msgid needs two forms: {entry.msgid!r}")
            check_placeholders(entry.msgid, forms[0])
            check_placeholders(entry.msgid_plural, forms[1])
            entry.msgstr_plural = {0: forms[0], 1: forms[1]}
        else:
            if len(forms) != 1:
                raise SystemExit(f"msgid is not plural, give one form: {entry.msgid!r}")
            check_placeholders(entry.msgid, forms[0])
            entry.msgstr = forms[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    return missing, set(table) - used


def load_tables(paths):
    table = {}
    for path in paths:
        part = load_table(path)
        clash = sorted(set(part) & set(table))
        if clash:
            raise SystemExit(f"{path.name}: msgid already in another table: {clash[0]!r}")
        table.update(part)
    return table


def main():
    table = load_tables(TABLES)
    po = polib.pofile(str(CATALOGUE), wrapwidth=79)
    po.metadata.update(
        {
            "Project-Id-Version": "domovoy",
            "PO-Revision-Date": po.metadata.get("POT-Creation-Date", ""),
            "Last-Translator": "Domovoy team",
            "Language": "en",
            "Language-Team": "English",
            "Plural-Forms": "nplurals=2; plural=(n != 1);",
            "Content-Type": "text/plain; charset=UTF-8",
        }
    )
    po.metadata_is_fuzzy = False
    po.header = (
        "English translation of the Domovoy UI.\n"
        "Filled from domovoy/locale/en*.tsv by translate_en.py: edit the tables, not this file."
    )
    missing, unused = fill(po, table)
    po.save()
    translated = len([e for e in po if e.translated()])
    print(f"{translated} of {len(po)} strings translated")
    for msgid in sorted(unused):
        print(f"unused in the tables: {msgid}")
    for entry in missing:
        suffix = f"\t<plural: {entry.msgid_plural}>" if entry.msgid_plural else ""
        print(f"missing: {entry.msgid}{suffix}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
