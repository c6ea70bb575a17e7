"""The services of the resident's way in (issue 12): codes through the outbox, hashed,
expiring, with limited attempts and sending; registration; linking accounts; link codes."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from domovoy.core.errors import Conflict, Forbidden, Invalid, NotFound
from domovoy.notifications.models import Notice
from domovoy.residents import services
from domovoy.residents.models import AccountLinkCode, ConfirmationCode
from tests import factories as f
from tests.fixtures import msk

from .conftest import last_code

pytestmark = [pytest.mark.django_db, pytest.mark.req("S1")]
PASSWORD = "Ключ-от-дома-42"


def register(contact="8 (910) 555-01-02", **names):
    row = services.registration_start(contact=contact, client="10.0.0.1")
    services.registration_confirm(token=row.token, code=last_code(row.address))
    names = {"last_name": "Иванова", "first_name": "Мария", **names}
    return services.registration_complete(token=row.token, password=PASSWORD, **names)


def test_a_resident_registers_by_phone_and_signs_in_with_any_spelling_of_it(sms):
    user = register()
    assert (user.is_resident, user.phone, user.email) == (True, "+79105550102", "")
    assert user.check_password(PASSWORD)
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="+7 910 555 01 02", password=PASSWORD) == user
    assert authenticate(request, username="89105550102", password="wrong") is None


def test_the_code_goes_out_as_an_sms_of_the_outbox_and_is_stored_only_as_a_hash(sms):
    row = services.registration_start(contact="+79105550102", client="x")
    notice = Notice.objects.get(address="+79105550102")
    code = last_code("+79105550102")
    assert (notice.channel, notice.recipient_id) == ("sms", None)
    assert code in notice.body
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at == row.created_at + dt.timedelta(minutes=10) or (
        abs((row.expires_at - row.created_at) - dt.timedelta(minutes=10)).total_seconds() < 2
    )


def test_a_code_at_night_is_not_held_until_morning(sms, time_machine):
    """Quiet hours are for notices nobody asked for; the person waits for this one."""
    time_machine.move_to(msk(2026, 12, 7, 23, 30), tick=False)
    services.registration_start(contact="+79105550102", client="x")
    notice = Notice.objects.get()
    assert notice.due_at == msk(2026, 12, 7, 23, 30)


def test_a_resident_registers_by_email_without_an_sms_gateway():
    user = register(contact="  Maria.Ivanova@Example.RU ")
    assert (user.email, user.phone) == ("maria.ivanova@example.ru", "")
    assert Notice.objects.get().channel == "email"


def test_a_phone_is_refused_when_no_sms_gateway_is_configured():
    with pytest.raises(Invalid) as caught:
        services.registration_start(contact="+79105550102", client="x")
    assert caught.value.code == "sms_off"
    assert not ConfirmationCode.objects.exists()


@pytest.mark.req("S7")
@pytest.mark.parametrize("typed", ["", "12", "ivanova@", "abc"])
def test_a_contact_that_is_neither_phone_nor_email_is_refused_naming_the_field(typed, sms):
    with pytest.raises(Invalid) as caught:
        services.registration_start(contact=typed, client="x")
    assert "contact" in caught.value.fields


def test_a_wrong_code_counts_and_five_wrong_ones_kill_the_code(sms):
    row = services.registration_start(contact="+79105550102", client="x")
    good = last_code(row.address)
    wrong = "000000" if good != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(Invalid) as caught:
            services.registration_confirm(token=row.token, code=wrong)
        assert caught.value.code == "wrong_code" and str(left) in caught.value.message
    with pytest.raises(Invalid):
        services.registration_confirm(token=row.token, code=wrong)
    with pytest.raises(Invalid) as caught:
        services.registration_confirm(token=row.token, code=good)
    assert caught.value.code == "too_many_attempts"
    row.refresh_from_db()
    assert (row.attempts, row.confirmed_at) == (5, None)


def test_an_expired_code_is_refused(sms, time_machine):
    time_machine.move_to(msk(2026, 12, 7, 12, 0), tick=False)
    row = services.registration_start(contact="+79105550102", client="x")
    time_machine.move_to(msk(2026, 12, 7, 12, 10, 1), tick=False)
    with pytest.raises(Invalid) as caught:
        services.registration_confirm(token=row.token, code=last_code(row.address))
    assert caught.value.code == "expired"


def test_a_new_code_retires_the_previous_one(sms):
    first = services.registration_start(contact="+79105550102", client="x")
    old_code = last_code(first.address)
    services.registration_start(contact="+79105550102", client="x")
    with pytest.raises(Invalid) as caught:
        services.registration_confirm(token=first.token, code=old_code)
    assert caught.value.code == "expired"


def test_sending_is_limited_per_address_and_per_client(sms, settings):
    for _n in range(3):
        services.registration_start(contact="+79105550102", client="a")
    with pytest.raises(services.TooMany) as caught:
        services.registration_start(contact="+79105550102", client="b")
    assert caught.value.status_code == 429
    settings.RATE_LIMIT_CODE_PER_CLIENT = "2/hour"
    services.registration_start(contact="one@example.ru", client="c")
    services.registration_start(contact="two@example.ru", client="c")
    with pytest.raises(services.TooMany):
        services.registration_start(contact="three@example.ru", client="c")
    assert Notice.objects.count() == 5


def test_a_registered_phone_is_told_only_after_its_code_is_confirmed(sms, anna):
    """No enumeration: step 1 answers the same; the holder of the phone learns it."""
    row = services.registration_start(contact="8 910 123-45-67", client="x")  # Анна's
    assert row.pk
    with pytest.raises(Conflict) as caught:
        services.registration_confirm(token=row.token, code=last_code(row.address))
    assert caught.value.code == "already_registered"
    with pytest.raises(Conflict):
        services.registration_complete(
            token=row.token, last_name="Смирнова", first_name="Анна", password=PASSWORD
        )


@pytest.mark.req("S7")
def test_completing_needs_a_confirmed_code_names_and_a_decent_password(sms):
    row = services.registration_start(contact="+79105550102", client="x")
    with pytest.raises(Invalid) as caught:
        services.registration_complete(
            token=row.token, last_name="А", first_name="Б", password=PASSWORD
        )
    assert caught.value.code == "not_confirmed"
    services.registration_confirm(token=row.token, code=last_code(row.address))
    with pytest.raises(Invalid) as caught:
        services.registration_complete(token=row.token, last_name="", first_name="", password="1")
    assert set(caught.value.fields) == {"last_name", "first_name", "password"}
    user = services.registration_complete(
        token=row.token, last_name="Иванова", first_name="Мария", password=PASSWORD
    )
    with pytest.raises(Invalid):  # spent
        services.registration_complete(
            token=row.token, last_name="Иванова", first_name="Мария", password=PASSWORD
        )
    assert user.is_resident


# --- Contacts of the profile ----------------------------------------------------------------


def test_a_new_email_is_saved_only_after_its_code(sms, anna):
    row = services.contact_change_start(user=anna, contact="anna.new@example.ru", client="x")
    anna.refresh_from_db()
    assert anna.email != "anna.new@example.ru"
    services.contact_change_confirm(user=anna, token=row.token, code=last_code(row.address))
    anna.refresh_from_db()
    assert anna.email == "anna.new@example.ru"


@pytest.mark.req("S2")
def test_another_person_cannot_confirm_someone_elses_contact_change(sms, anna, boris):
    row = services.contact_change_start(user=anna, contact="+79105550199", client="x")
    with pytest.raises(Invalid) as caught:
        services.contact_change_confirm(user=boris, token=row.token, code=last_code(row.address))
    assert caught.value.code == "unknown"
    boris.refresh_from_db()
    assert boris.phone != "+79105550199"


def test_a_contact_of_another_account_is_refused_after_the_code(sms, anna, boris):
    row = services.contact_change_start(user=boris, contact=anna.email, client="x")
    with pytest.raises(Conflict):
        services.contact_change_confirm(user=boris, token=row.token, code=last_code(row.address))


def test_staff_have_no_profile_to_change(uo_dispatcher):
    with pytest.raises(Forbidden):
        services.contact_change_start(user=uo_dispatcher, contact="x@example.ru", client="x")


# --- Accounts ------------------------------------------------------------------------------


@pytest.mark.req("D3")
@pytest.mark.parametrize("typed", ["Сёмина", "СЕМИНА", "  семина ", "сЁмина"])
def test_an_account_links_by_number_and_surname_whatever_the_case_and_yo(typed, anna, flat):
    account = services.account_link_by_owner(user=anna, number=" 7700120012 ", last_name=typed)
    assert account == flat
    assert list(anna.accounts.all()) == [flat]


@pytest.mark.req("S5")
def test_a_wrong_pair_gets_one_generic_answer(anna, flat):
    answers = set()
    for number, surname in (("7700120012", "Петрова"), ("0000000000", "Сёмина")):
        with pytest.raises(Invalid) as caught:
            services.account_link_by_owner(user=anna, number=number, last_name=surname)
        answers.add((caught.value.code, caught.value.message))
    assert len(answers) == 1
    assert not anna.accounts.exists()


def test_link_attempts_are_limited(anna, flat, settings):
    settings.RATE_LIMIT_ACCOUNT_LINK = "3/hour"
    for _n in range(3):
        with pytest.raises(Invalid):
            services.account_link_by_owner(user=anna, number="7700120012", last_name="Нет")
    with pytest.raises(services.TooMany):
        services.account_link_by_owner(user=anna, number="7700120012", last_name="Сёмина")


def test_an_account_of_an_organisation_owner_does_not_link_by_surname(anna, building):
    _, account = f.premises_with_account(building, number="5", account_number="55", owner="")
    with pytest.raises(Invalid):
        services.account_link_by_owner(user=anna, number="55", last_name="")


@pytest.mark.req("D4")
def test_the_managing_uo_issues_a_one_time_code_and_the_resident_links_by_it(
    anna, boris, flat, uo_dispatcher
):
    row, code = services.link_code_issue(actor=uo_dispatcher, account=flat)
    assert len(code) == 9 and code[4] == "-"
    assert code not in row.code_hash
    account = services.account_link_by_code(user=anna, code=code.lower().replace("-", " "))
    assert account == flat and anna in flat.residents.all()
    with pytest.raises(Invalid) as caught:  # one time only
        services.account_link_by_code(user=boris, code=code)
    assert caught.value.code == "bad_link_code"
    assert AccountLinkCode.objects.get().used_by == anna


def test_an_expired_link_code_is_refused(anna, flat, uo_dispatcher, time_machine):
    time_machine.move_to(msk(2026, 12, 1, 12, 0), tick=False)
    _, code = services.link_code_issue(actor=uo_dispatcher, account=flat)
    time_machine.move_to(msk(2026, 12, 31, 12, 1), tick=False)
    with pytest.raises(Invalid):
        services.account_link_by_code(user=anna, code=code)


@pytest.mark.req("S2")
@pytest.mark.parametrize(
    "who", ["other_uo_dispatcher", "rso_dispatcher", "functional_operator", "anna"]
)
def test_only_the_managing_uo_issues_link_codes(who, request, flat):
    actor = request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        services.link_code_issue(actor=actor, account=flat)
    assert not AccountLinkCode.objects.exists()


@pytest.mark.req("S2")
def test_a_resident_unlinks_only_their_own_account(anna, boris, flat):
    flat.residents.add(boris)
    with pytest.raises(NotFound):
        services.account_unlink(user=anna, account_id=flat.pk)
    assert boris in flat.residents.all()
    services.account_unlink(user=boris, account_id=flat.pk)
    assert not flat.residents.exists()
    with pytest.raises(NotFound):
        services.account_unlink(user=boris, account_id="99999999999999999999999")
