"""Obscene language detection (R16, K 3): real word forms and disguises are caught; innocent
words that contain the same letters are not."""

import pytest

from domovoy.servicedesk import obscene

pytestmark = pytest.mark.req("R16")


@pytest.mark.parametrize(
    "text",
    [
        "хуй", "Нахуя вы это сделали", "хуёвый ремонт", "пиздец", "распиздяи из УК",
        "блядь", "бля, опять нет воды", "ёбаный лифт", "заебали уже", "съебались и не пришли",
        "уебок", "долбоёб-сантехник", "мудак", "мудила", "пидорас", "гандон",
        # disguises
        "х.у.й", "х-у-й", "х у й", "п.и.з.д.а", "пи.зда", "хууууй", "ПИЗДЕЦ", "xyй", "XУЙНЯ",
        "пи3дец", "e6aть", "ёб@ный", "х*й", "huy", "pizdec", "blyat", "Hахуй",
    ],
)  # fmt: skip
def test_it_catches_obscene_word_forms_and_disguises(text):
    assert obscene.contains_obscene(text), obscene.normalise(text)


@pytest.mark.parametrize(
    "text",
    [
        "скипидар", "оскорблять", "хлебопекарня", "застрахуй квартиру", "не психуй",
        "страхует", "психую", "команда", "мандарин", "командировка", "корабля", "рубля",
        "употребляю", "истреблять", "влюбляться", "себе", "тебе", "небо", "веб-сайт", "требую",
        "хлеб,еда", "учебный", "погреб", "ребёнок", "оглобля", "дебет", "хулиган", "художник",
        "хурма", "бляха", "судебный", "чихуахуа", "колебания", "щебень", "гребень", "спидран",
        "Ok, 3 дня нет воды", "hello world",
        "Уважаемые, когда починят трубу? Третий день течёт вода в подъезде, потолок в пятнах.",
    ],
)  # fmt: skip
def test_it_lets_innocent_words_through(text):
    assert not obscene.contains_obscene(text), obscene.find_obscene(text)


def test_the_normaliser_reads_look_alikes_digits_and_separators():
    assert obscene.normalise("ХУУУЙ") == ["хуй"]
    assert obscene.normalise("e6aть") == ["ебать"]
    assert "хуй" in obscene.normalise("х.у.й")
    assert obscene.normalise("х у й и") == ["хуйи"]
    assert obscene.normalise("Ёлка") == ["елка"]


def test_it_reports_the_words_it_found_once_each():
    text = "Хуй знает, когда починят. хуй! Дверь сломана"
    assert obscene.find_obscene(text) == ["хуй"]
