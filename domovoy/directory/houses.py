"""House numbers in natural order (issue 12, D3): «д. 2» before «д. 11», and
2 < 2/1 < 2а < 2к1 < 11.

``house_sort_key(house, block)`` is the ONE sort key of a building's number. It is stored on
``Building.house_sort`` (filled on save and by the manager's ``bulk_create``), indexed with the
street, and every ordering of buildings uses it (``Building.Meta.ordering``, the selectors,
lists, pickers, exports); Python-side sorts call the same function.

The key is plain text that sorts the same under any collation: every run of digits is padded
with zeros to a fixed width, letters are lower-cased (ё as е), the block (корпус) is appended
as «к» + its own key, and everything else (spaces, dots, dashes, slashes) is a separator that
writes nothing. So «2к1», «2 корп. 1» and house «2» with block «1» have the same key, which is
also how an address typed by a caller is matched to a building exactly
(``directory.selectors.address_lookup``).
"""

from __future__ import annotations

import re

# Wide enough for any house or block number (the column holds 20 characters).
DIGITS = 6
MAX_LENGTH = 100

_TOKEN = re.compile(r"\d+|[^\W\d_]+")
# Words of a typed house number that name its parts: «корпус», «строение», «литера».
_PART_WORDS = {
    "к": "к",
    "корп": "к",
    "корпус": "к",
    "кор": "к",
    "стр": "с",
    "строение": "с",
    "с": "с",
    "лит": "л",
    "литера": "л",
    "литер": "л",
}
# The Latin letters a keyboard gives for the Cyrillic ones used in house numbers.
_LATIN = str.maketrans({"a": "а", "b": "б", "v": "в", "g": "г", "d": "д", "e": "е", "k": "к"})


def _part_key(text: str) -> str:
    """The key of one number: digit runs padded, letters lower-case, the rest dropped."""
    out = []
    tokens = _TOKEN.findall((text or "").lower().replace("ё", "е"))
    for index, token in enumerate(tokens):
        if token.isdigit():
            out.append(token.zfill(DIGITS))
            continue
        token = token.translate(_LATIN)
        # «корп», «стр», «лит» between numbers name a part; a letter after the number is a
        # letter of the house itself («2а»).
        if index and index < len(tokens) - 1 and token in _PART_WORDS:
            token = _PART_WORDS[token]
        out.append(token)
    return "".join(out)


def house_sort_key(house: str, block: str = "") -> str:
    """The natural sort key of house ``house`` with optional block (корпус) ``block``."""
    key = _part_key(house)
    if block and block.strip():
        key += "к" + _part_key(block)
    return key[:MAX_LENGTH]


def looks_like_house(token: str) -> bool:
    """A typed word that starts a house number («1», «2а», «12/3», «5к1»)."""
    return bool(token) and token[0].isdigit()


def is_house_part(token: str) -> bool:
    """A typed word that may continue a house number: a number, a short letter or a part word
    («корп», «стр»)."""
    token = token.lower()
    return looks_like_house(token) or token in _PART_WORDS or (len(token) == 1 and token.isalpha())
