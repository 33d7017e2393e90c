"""Headlines from ledes in house styles the development set does not have."""

from __future__ import annotations

from digestsite.headline import headline_problems, make_headline


def test_a_full_date_goes_whole_not_leaving_its_day_and_year() -> None:
    # "on April" alone used to go, leaving "... Press Conference 8"
    title = make_headline("Foreign Ministry Spokesperson Lin Wei's Regular Press Conference on April 8, 2025")
    assert title == "Foreign Ministry Spokesperson Lin Wei's Regular Press Conference"
    title = make_headline("The summit on March 8, 2025 in Paris drew leaders from 40 nations.")
    assert "8" not in title.replace("40", "") and "2025" not in title and not headline_problems(title)
    assert make_headline("Regular briefing on 5 March 2025") == "Regular briefing"
