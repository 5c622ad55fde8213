"""Option-value parsers shared by the pytest options and the history CLI."""

import pytest

from mpmodel.core.parsing import choice_rank, parse_choices, parse_fraction

COLOURS = ("red", "green", "blue")


def test_choices_come_back_validated_in_table_order():
    assert parse_choices(" blue, red ", COLOURS, "colour", "valid: red, green, blue") == ("red", "blue")
    assert parse_choices("RED", COLOURS, "colour", "valid", lower=True) == ("red",)


@pytest.mark.parametrize("text,message", [("", "no colour in ''; valid"), ("red,pink", "unknown colour 'pink'; valid")])
def test_bad_choices_name_the_value_and_what_is_valid(text, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_choices(text, COLOURS, "colour", "valid")


def test_table_order_puts_known_names_first_then_others_sorted():
    names = ["blue", "zeta", "red", "alpha"]
    assert sorted(names, key=lambda n: choice_rank(COLOURS, n)) == ["red", "blue", "alpha", "zeta"]


def test_fractions():
    assert parse_fraction("0.15") == 0.15 and parse_fraction(0) == 0.0
    for bad, why in (("1", "must be a fraction in"), ("-0.1", "must be a fraction in"), ("nan", "must be a fraction in"),
                     ("1%", "is not a number"), (None, "is not a number")):
        with pytest.raises(ValueError, match=why):
            parse_fraction(bad)
