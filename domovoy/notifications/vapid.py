"""VAPID keys for web push (N1): ``manage.py notifications_vapid_keys`` prints a fresh pair for
the settings NOTIFICATIONS_VAPID_PRIVATE_KEY / NOTIFICATIONS_VAPID_PUBLIC_KEY."""

import base64

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def vapid_keys_generate() -> tuple[str, str]:
    """(private key, public key): the raw P-256 private value and the uncompressed public point,
    both base64url — the forms pywebpush and the browser's ``applicationServerKey`` take."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    public = b64url(key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    return private, public
