"""The English catalogue is complete, consistent with its placeholders, compiled, and covers
every translatable string in the source."""

import ast
import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.LOCALE_PATHS[0])
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def read_po(path):
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr, msgstr[n], flags.
    Obsolete (#~) entries are returned with obsolete=True."""
    entries, entry, key = [], {}, None

    def finish():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, value = line.split(" ", 1)
            if key in ("msgctxt", "msgid") and "msgid" in entry:
                finish()
            entry[key] = ast.literal_eval(value)
            entry["obsolete"] = obsolete
    finish()
    return entries


def key(entry):
    return entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")


def messages(entries):
    return [e for e in entries if e["msgid"] and not e["obsolete"]]


def test_every_string_has_an_english_translation_and_none_is_fuzzy():
    entries = messages(read_po(PO))
    assert len(entries) > 800
    untranslated = [
        e["msgid"]
        for e in entries
        if not all(e[k] for k in e if k.startswith("msgstr"))
        or "fuzzy" in e.get("flags", ())
        or ("msgid_plural" in e and "msgstr[1]" not in e)
    ]
    assert untranslated == []
    header = next(e for e in read_po(PO) if e["msgid"] == "")
    assert "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"]
    assert "fuzzy" not in header.get("flags", ())


def test_placeholders_of_every_translation_match_its_source():
    mismatched = []
    for e in messages(read_po(PO)):
        pairs = (
            [(e["msgid"], e["msgstr[0]"]), (e["msgid_plural"], e["msgstr[1]"])]
            if "msgid_plural" in e
            else [(e["msgid"], e["msgstr"])]
        )
        for source, text in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                mismatched.append((source, text))
    assert mismatched == []


def test_the_compiled_catalogue_matches_the_po_file():
    """The .mo is committed (a clean clone needs no gettext); it must say what the .po says."""
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog
    expected = {}
    for e in messages(read_po(PO)):
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            for n in range(2):
                expected[(msgid, n)] = e[f"msgstr[{n}]"]
        else:
            expected[msgid] = e["msgstr"]
    compiled.pop("", None)
    assert compiled == expected


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msguniq", "msgmerge")),
    reason="GNU gettext is not installed",
)
def test_every_translatable_string_in_the_source_is_in_the_catalogue(
    settings, tmp_path, monkeypatch
):
    """Extract afresh into a scratch locale directory; nothing may be missing from ours.
    To fix a failure: run makemessages, add the strings to domovoy/locale/en.tsv and run
    domovoy/locale/translate_en.py, then compilemessages."""
    settings.LOCALE_PATHS = [str(tmp_path)]
    monkeypatch.chdir(settings.BASE_DIR)
    call_command(
        "makemessages",
        locale=["en"],
        ignore_patterns=[".venv", "var", "bench", "tests", "locale", "node_modules"],
        verbosity=0,
    )
    fresh = messages(read_po(tmp_path / "en" / "LC_MESSAGES" / "django.po"))
    assert len(fresh) > 800
    ours = {key(e) for e in messages(read_po(PO))}
    assert [e["msgid"] for e in fresh if key(e) not in ours] == []
