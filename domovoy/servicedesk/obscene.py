"""Detection of obscene language in a request's text (R16, K 3).

No maintained Russian library exists, so this is a normaliser plus a lexicon of roots with an
allowlist (``data/obscene_lexicon.txt``). The result only flags the request for the executor,
who may reject it with the reason «нецензурная лексика»; nothing is rejected automatically.

Normalisation defeats the usual disguises: upper case, ё, Latin look-alikes (x, y, e, o, p, c,
a, k, m, t, b, h …) and digits (0 → о, 3 → з, 6 → б, 4 → ч, @ → а), transliteration of
all-Latin words («huy», «pizda», «blyat»), separators inside a word («х.у.й», «х-у-й»,
«х у й»), repeated letters («хууууй») and «*» standing for one letter («х*й»).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_PATH = Path(__file__).parent / "data" / "obscene_lexicon.txt"

_CYR = "а-я"
# Look-alikes of Cyrillic letters among Latin letters, digits and symbols (lower case).
_LOOKALIKE = str.maketrans(
    {
        "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м", "n": "п",
        "o": "о", "p": "р", "r": "г", "t": "т", "u": "и", "x": "х", "y": "у", "3": "з",
        "0": "о", "6": "б", "4": "ч", "@": "а", "$": "с", "ё": "е", "ë": "е",
    }
)  # fmt: skip
_TRANSLIT_MULTI = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ya", "я"), ("yo", "е"), ("yu", "ю"), ("ye", "е"), ("ja", "я"), ("ju", "ю"),
)  # fmt: skip
_TRANSLIT_SINGLE = str.maketrans(
    {
        "a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "z": "з", "i": "и",
        "j": "й", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р",
        "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "x": "х", "c": "ц", "y": "й",
        "w": "в", "q": "к", "3": "з", "0": "о", "6": "б", "@": "а",
    }
)  # fmt: skip
_REPEATS = re.compile(rf"([{_CYR}])\1+")
_PARTS = re.compile(rf"[{_CYR}*]+")
_LATIN_WORD = re.compile(r"^[a-z0-9@$]*[a-z][a-z0-9@$]*$")


@dataclass(frozen=True)
class Lexicon:
    roots: tuple[str, ...]
    words: frozenset[str]
    stem_pattern: re.Pattern
    allow: tuple[str, ...]
    any_root: re.Pattern  # a root anywhere in a word without «*»: most words have none


def _collapse(word: str) -> str:
    return _REPEATS.sub(r"\1", word)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    sections: dict[str, list[str]] = {}
    current = None
    for raw in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip().lower().replace("ё", "е")
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        if current is None:
            raise ValueError(f"obscene lexicon: entry outside a section: {raw!r}")
        current.append(_collapse(line))
    prefixes = "|".join(sorted(map(re.escape, sections.get("prefixes", [])), key=len, reverse=True))
    stems = "|".join(map(re.escape, sections.get("stems", [])))
    return Lexicon(
        roots=tuple(sections.get("roots", [])),
        words=frozenset(sections.get("words", [])),
        stem_pattern=re.compile(rf"^(?:{prefixes})?(?:{stems})"),
        allow=tuple(sections.get("allow", [])),
        any_root=re.compile("|".join(map(re.escape, sections.get("roots", []))) or r"(?!)"),
    )


def _translit(word: str) -> str:
    for latin, cyr in _TRANSLIT_MULTI:
        word = word.replace(latin, cyr)
    return word.translate(_TRANSLIT_SINGLE)


def _join_spelled_out(chunks: list[str]) -> list[str]:
    """«х у й» → «хуй»: runs of three or more one-letter chunks are one word spelled out."""
    out, run = [], []
    for chunk in [*chunks, ""]:
        if len(chunk) == 1 and chunk.isalpha():
            run.append(chunk)
            continue
        out.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if chunk:
            out.append(chunk)
    return out


def _candidates(chunk: str) -> list[str]:
    """Normalised word forms of one whitespace-separated chunk."""
    variants = [chunk.translate(_LOOKALIKE)]
    if _LATIN_WORD.match(chunk):
        variants.append(_translit(chunk))
    words = []
    for variant in variants:
        parts = _PARTS.findall(variant)
        if not parts:
            continue
        words.extend(parts)
        # «х.у.й», «пи.зда»: short pieces split by separators are one disguised word.
        if len(parts) > 1 and all(len(p) <= 3 for p in parts):
            words.append("".join(parts))
    return [_collapse(w) for w in words]


def normalise(text: str) -> list[str]:
    """The normalised word forms of ``text`` (exposed for tests and for the lexicon's authors)."""
    chunks = _join_spelled_out(text.lower().replace("ё", "е").split())
    words = []
    for chunk in chunks:
        words.extend(_candidates(chunk))
    return words


def _find(word: str, root: str):
    """Start positions of ``root`` in ``word``, a «*» in the word standing for one letter (at
    most half of the root may be hidden)."""
    if "*" not in word:
        start = word.find(root)
        while start != -1:
            yield start
            start = word.find(root, start + 1)
        return
    for start in range(len(word) - len(root) + 1):
        window = word[start : start + len(root)]
        hidden = window.count("*")
        fits = all(w in ("*", r) for w, r in zip(window, root, strict=True))
        if fits and hidden * 2 <= len(root):
            yield start


def _allowed_spans(word: str, allow: tuple[str, ...]):
    spans = []
    for fragment in allow:
        start = word.find(fragment)
        while start != -1:
            spans.append((start, start + len(fragment)))
            start = word.find(fragment, start + 1)
    return spans


def _match(word: str, lex: Lexicon) -> str | None:
    if word in lex.words:
        return word
    allowed = _allowed_spans(word, lex.allow)

    def innocent(start, end):
        return any(start < a_end and a_start < end for a_start, a_end in allowed)

    if "*" in word or lex.any_root.search(word):
        for root in lex.roots:
            for start in _find(word, root):
                if not innocent(start, start + len(root)):
                    return root
    stem = lex.stem_pattern.match(word)
    if stem and not innocent(0, stem.end()):
        return stem.group(0)
    return None


def find_obscene(text: str) -> list[str]:
    """The normalised word forms of ``text`` that contain obscene roots (empty if none)."""
    lex = lexicon()
    found = []
    for word in normalise(text or ""):
        if _match(word, lex) and word not in found:
            found.append(word)
    return found


def contains_obscene(text: str) -> bool:
    return bool(find_obscene(text))
