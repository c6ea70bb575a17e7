import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from domovoy.api import services


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def make_agreement(technical_operator):
    counter = {"n": 0}

    def make(scopes=("directory:read",), territory=None, valid_from=None, valid_to=None, **kw):
        counter["n"] += 1
        today = timezone.localdate()
        return services.integration_agreement_create(
            actor=technical_operator,
            number=kw.pop("number", f"ИС-{counter['n']}/2026"),
            system_name=kw.pop("system_name", "ГИС ЖКХ"),
            parties=kw.pop("parties", "Администрация города и ООО «Интегратор»"),
            valid_from=valid_from or today - dt.timedelta(days=10),
            valid_to=valid_to or today + dt.timedelta(days=365),
            scopes=list(scopes),
            territory=territory,
            **kw,
        )

    return make


@pytest.fixture
def make_token(technical_operator):
    def make(agreement, expires_on=None):
        _instance, token = services.integration_token_issue(
            actor=technical_operator, agreement=agreement, expires_on=expires_on
        )
        return token

    return make


def token_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
