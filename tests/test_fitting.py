"""The fitted thresholds are stable: a flat gain curve does not make them jump when a question
more or less joins the fit (see ``bot.fitting.choose_thresholds``)."""

from __future__ import annotations

import random

import pytest

from bot.fitting import Outcome, _best_answer_threshold, choose_thresholds


def plateau() -> list[Outcome]:
    """300 answers, best first: 100 sure ones, then 140 at break-even (six right to each wrong
    one, which a wrong answer's cost of six exactly balances: a flat gain curve from 0.84 down
    to 0.63), then one right to each wrong one."""
    outcomes = []
    for n in range(300):
        if n < 100:
            right = True
        elif n < 240:
            right = (n - 100) % 7 != 3
        else:
            right = n % 2 == 0
        outcomes.append(Outcome("set", round(0.99 - n * 0.0015, 4), right, right, True))
    return outcomes


def without(outcomes: list[Outcome], position: int) -> list[Outcome]:
    return outcomes[:position] + outcomes[position + 1 :]


#: One question less: the first and last wrong answers of the flat stretch, right ones above,
#: within and below it.
LEFT_OUT = [103, 110, 117, 236, 0, 150, 299]


@pytest.mark.parametrize("position", LEFT_OUT)
def test_one_question_less_barely_moves_the_answer_threshold(position: int) -> None:
    outcomes = plateau()
    assert (
        abs(choose_thresholds(without(outcomes, position))[0] - choose_thresholds(outcomes)[0])
        <= 0.015
    )


def test_on_a_flat_gain_curve_the_best_threshold_alone_jumps() -> None:
    """Why the thresholds are chosen over resamples: the single best threshold on the questions
    as they are jumps from one end of the flat stretch to the other with one question less."""
    moved = []
    for position in LEFT_OUT:
        outcomes = without(plateau(), position)
        moved.append(_best_answer_threshold(outcomes, [1] * len(outcomes)))
    assert max(moved) - min(moved) > 0.15
    # The chosen one stays in the middle of the flat stretch.
    assert 0.70 < choose_thresholds(plateau())[0] < 0.76


def test_the_thresholds_are_the_same_on_every_run_and_in_any_order() -> None:
    outcomes = plateau() + [
        Outcome("declines", 0.3 + n / 200, False, False, False) for n in range(60)
    ]
    shuffled = outcomes[:]
    random.Random(1).shuffle(shuffled)
    assert choose_thresholds(shuffled) == choose_thresholds(outcomes)
    assert choose_thresholds(outcomes) == choose_thresholds(list(outcomes))
