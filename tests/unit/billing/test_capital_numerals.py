"""人民币大写: the amount in words on a receipt, checked against the People's Bank of
China's own examples and, for any amount, read back to the same number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.billing.capital_numerals import DIGITS, rmb_in_words

# The examples of 正确填写票据和结算凭证的基本规定 (the shorter form where two are allowed),
# and the brief's.
EXAMPLES = {
    "1234.56": "壹仟贰佰叁拾肆元伍角陆分",
    "1680.32": "壹仟陆佰捌拾元叁角贰分",
    "107000.53": "壹拾万柒仟元伍角叁分",
    "1409.50": "壹仟肆佰零玖元伍角",
    "6007.14": "陆仟零柒元壹角肆分",
    "325.04": "叁佰贰拾伍元零肆分",
    "1000.00": "壹仟元整",
    "10": "壹拾元整",
    "0": "零元整",
    "0.05": "伍分",
    "0.5": "伍角",
    "10005": "壹万零伍元整",
    "100010": "壹拾万零壹拾元整",
    "100000001": "壹亿零壹元整",
    "100000000": "壹亿元整",
    "20030400.06": "贰仟零叁万零肆佰元零陆分",
}


@pytest.mark.parametrize(("amount", "words"), EXAMPLES.items())
def test_the_rules_examples(amount: str, words: str) -> None:
    assert rmb_in_words(Decimal(amount)) == words


def test_refused_amounts() -> None:
    with pytest.raises(ValueError):
        rmb_in_words(Decimal("-0.01"))
    with pytest.raises(ValueError):
        rmb_in_words(Decimal(10) ** 16)
    with pytest.raises(TypeError):
        rmb_in_words(Decimal("NaN"))


def read_back(words: str) -> Decimal:
    """The reader's side: capitals to the number (the test's own oracle)."""
    places = {"拾": 10, "佰": 100, "仟": 1000}
    total, section, digit = 0, 0, 0
    fen = 0
    yuan_part, _, rest = words.partition("元") if "元" in words else ("", "", words)
    for char in yuan_part:
        if char in DIGITS:
            digit = DIGITS.index(char)
        elif char in places:
            section += digit * places[char]
            digit = 0
        elif char == "万":
            # 万 closes the group below 亿 (or, after 亿's group, the 万亿 group)
            section += digit
            total += section * 10_000
            section = digit = 0
        elif char == "亿":
            section += digit
            total = (total + section) * 100_000_000
            section = digit = 0
    total += section + digit
    for char, scale in (("角", 10), ("分", 1)):
        before, mark, after = rest.partition(char)
        if mark:
            fen += DIGITS.index(before[-1]) * scale
            rest = after
    assert rest in ("", "整")
    return Decimal(total) + Decimal(fen) / 100


@given(st.integers(min_value=0, max_value=10**11 - 1))
def test_any_amount_reads_back_as_itself(fen: int) -> None:
    amount = Decimal(fen) / 100
    words = rmb_in_words(amount)
    assert read_back(words) == amount
    assert DIGITS[0] * 2 not in words  # a run of zeros is one 零
    assert words.endswith("整") == (fen % 100 == 0)
    assert not words.startswith(DIGITS[0]) or fen == 0
