"""Latin logins from Russian names (ГОСТ 7.79-2000 system B, simplified)."""

_MAP = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def translit(text):
    return "".join(_MAP.get(c, c) for c in (text or "").lower() if c.isalnum())


def slug_login(last, first="", middle=""):
    initials = "".join(translit(p)[:1] for p in (first, middle) if p)
    return (translit(last) + ("." + initials if initials else ""))[:30]
