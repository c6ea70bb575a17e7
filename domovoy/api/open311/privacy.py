"""Free text of a request or comment as the public may read it (S5, R17): what the request
itself holds as personal data (the caller's name, the author's name, the phone, the flat
number) and anything shaped like a phone, an e-mail or a flat number is masked by the rules of
``core.masking``; names, phones and flats never leave in their own fields."""

from __future__ import annotations

import re

from domovoy.core.masking import mask_flat, mask_name, mask_phone
from domovoy.servicedesk.models import Channel

PHONE_RE = re.compile(r"(?<!\w)\+?\d[\d\s().-]{5,}\d(?!\w)")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
FLAT_RE = re.compile(r"(?i)\b(?:кв|квартир[аеуыой]*|apt|flat)\.?\s*№?\s*\d+[\w/-]*")
SERVICE_ACCOUNT_CHANNELS = frozenset({Channel.API, Channel.EXTERNAL})
MIN_WORD = 3  # shorter parts of a name («Ли») would mask ordinary words


def _mask_phone_match(match: re.Match) -> str:
    digits = sum(c.isdigit() for c in match.group(0))
    return mask_phone(match.group(0)) if digits >= 7 else match.group(0)


def known_personal(sr) -> list[str]:
    """The request's own personal values, longest first."""
    values = []
    author = getattr(sr, "author", None)
    names = [sr.caller_name]
    if author is not None and sr.channel in SERVICE_ACCOUNT_CHANNELS:
        # An integration's request is authored by its service account, named after its system
        # (not a person), which is also the caller when no person was relayed.
        if sr.caller_name == author.full_name:
            names = []
    elif author is not None:
        names += [author.last_name, author.first_name, author.middle_name]
    for name in names:
        values += [w for w in (name or "").split() if len(w) >= MIN_WORD]
    premises = getattr(sr, "premises", None)
    if premises is not None and premises.number:
        values.append(premises.number)
    return sorted(set(values), key=len, reverse=True)


def scrub(text: str, *, known: list[str] = ()) -> str:
    text = text or ""
    for value in known:
        if value.isdigit():
            # a bare flat number only where it stands as a number
            text = re.sub(rf"(?<![\w]){re.escape(value)}(?![\w])", "***", text)
        else:
            text = re.sub(re.escape(value), mask_name(value), text, flags=re.IGNORECASE)
    text = EMAIL_RE.sub("***@***", text)
    text = FLAT_RE.sub(lambda m: mask_flat(m.group(0)), text)
    return PHONE_RE.sub(_mask_phone_match, text)
