"""Masking of personal data for those who are not party (S5, R17)."""


def mask_name(full_name):
    """'Иванов Иван Иванович' → 'И***в И. И.'"""
    parts = (full_name or "").split()
    if not parts:
        return ""
    last = parts[0]
    masked = last[0] + "***" + (last[-1] if len(last) > 2 else "")
    return " ".join([masked] + [p[0] + "." for p in parts[1:]])


def mask_phone(phone):
    digits = "".join(c for c in (phone or "") if c.isdigit())
    if len(digits) < 4:
        return "***"
    return "+" + digits[:1] + " *** ***-" + digits[-4:-2] + "-" + digits[-2:]


def mask_flat(number):
    return "кв. ***" if number else ""
