from hypothesis import given
from hypothesis import strategies as st

from pmc_common.money import rhu, rupees


def test_rhu_rounds_half_up_to_the_paisa() -> None:
    assert rhu(84250 * 15 * 2, 1000) == 2528  # API.md 4.2: 1.5 % × 2 months of 84250 = 2527.5
    assert rhu(5, 2) == 3
    assert rhu(4, 2) == 2
    assert rhu(0, 7) == 0


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=1, max_value=10**6))
def test_rhu_is_the_nearest_integer_with_halves_up(n: int, d: int) -> None:
    result = rhu(n, d)
    # n/d - 1/2 < result <= n/d + 1/2: the nearest integer, an exact half going up
    assert 2 * n - d < 2 * d * result <= 2 * n + d


def test_rupees_uses_indian_grouping() -> None:
    assert rupees(1208000) == "Rs 12,080.00"
    assert rupees(123456789) == "Rs 12,34,567.89"
    assert rupees(5) == "Rs 0.05"
    assert rupees(100000000) == "Rs 10,00,000.00"
