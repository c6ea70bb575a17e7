"""Settings of the gunicorn server the HTTP bench starts (``bench.http_bench``): production's
(DEBUG and the secret key come from the environment the bench gives the server), the bench's
URLconf with the bare baseline view, and a background queue that only records tasks (in
production Redis takes them; no consumer runs here, so nothing is delivered inline)."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
HUEY = {**HUEY, "huey_class": "huey.MemoryHuey", "immediate": False}  # noqa: F405
HUEY.pop("filename", None)
HUEY.pop("url", None)
# The bench speaks plain HTTP on the loopback interface.
SECURE_SSL_REDIRECT = False
# The intake throttle stays in the path (its cache read and write are measured), with a rate
# eight clients cannot reach in a bench run.
API_THROTTLE_INTAKE_INTEGRATION = API_THROTTLE_INTAKE_SESSION = "100000000/min"
