"""Browser tests: Playwright driving Debian's /usr/bin/chromium against the live server (the
``browser``, ``page`` and ``shot`` fixtures are in tests/browser_fixtures.py, for every test
folder). They fail (never skip) when chromium is missing: CI installs it."""

from tests.servicedesk import conftest as servicedesk_cast

# The service-desk cast (tests/servicedesk/conftest.py), as fixtures of the browser tests.
anna = servicedesk_cast.anna
call_centre = servicedesk_cast.call_centre
call_operator = servicedesk_cast.call_operator
classifier = servicedesk_cast.classifier
contractor = servicedesk_cast.contractor
contractor_dispatcher = servicedesk_cast.contractor_dispatcher
file_request = servicedesk_cast.file_request
links = servicedesk_cast.links
