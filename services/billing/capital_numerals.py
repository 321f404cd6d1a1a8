"""An amount of money in Chinese capital numerals (人民币大写), as a receipt writes it.

The rules are those of the People's Bank of China for filling in bills and settlement
vouchers (正确填写票据和结算凭证的基本规定): the capital digits 零壹贰叁肆伍陆柒捌玖 with
拾佰仟万亿 and 元角分; "整" after 元 when there are no 角 or 分; one 零 for a run of zeros
between digits ("连续有几个'0'时, 中文大写金额中间可以只写一个'零'字"); a 元 place that is
zero before a non-zero 角 needs no 零 ("也可以不写'零'字"), while a 角 place that is zero
before a non-zero 分 does ("'元'后面应写'零'字"); a leading ten is written 壹拾.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")  # within a group of four digits
GROUPS = ("", "万", "亿", "万亿")  # 10^0, 10^4, 10^8, 10^12
LIMIT = Decimal(10) ** 16  # 万亿 is the largest group written


def _group(number: int) -> str:
    """0 < number < 10000 in capitals; inner zeros as one 零, trailing zeros unwritten."""
    words: list[str] = []
    zero = False
    for place in range(3, -1, -1):
        digit = number // 10**place % 10
        if digit == 0:
            zero = bool(words)
            continue
        if zero:
            words.append(DIGITS[0])
            zero = False
        words.append(DIGITS[digit] + PLACES[place])
    return "".join(words)


def _yuan(number: int) -> str:
    """A whole number of yuan (> 0) in capitals, without the 元: groups of four digits
    from the top, one 零 where zeros stand between two written digits."""
    words: list[str] = []
    zeros_between = False
    for g in range(len(GROUPS) - 1, -1, -1):
        value = number // 10 ** (4 * g) % 10_000
        if value == 0:
            zeros_between = bool(words)
            continue
        if words and (zeros_between or value < 1000):
            words.append(DIGITS[0])
        words.append(_group(value) + GROUPS[g])
        zeros_between = False
    return "".join(words)


def rmb_in_words(amount: Decimal) -> str:
    """`amount` (>= 0, below 10^16, rounded to the fen half-up) as 人民币大写, e.g.
    Decimal("1234.56") -> "壹仟贰佰叁拾肆元伍角陆分", Decimal("100") -> "壹佰元整"."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise TypeError("an amount in words is a finite Decimal")
    fen_total = int(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)
    if fen_total < 0 or fen_total >= LIMIT * 100:
        raise ValueError("an amount in words is at least 0 and below 10^16")
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    words = _yuan(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return words + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += DIGITS[0]  # 角 is zero, 分 is not: 元 is followed by 零
    if fen:
        words += DIGITS[fen] + "分"
    return words
