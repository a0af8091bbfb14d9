"""Markdown tables for the pages."""

import pytest

from ui.components.tables import markdown_table


def test_markdown_table_has_a_header_a_rule_and_one_line_per_row():
    text = markdown_table({"model": ["random", "OT"], "NFE": [4, 4]})
    assert text.splitlines() == ["| model | NFE |", "|:---|:---|", "| random | 4 |", "| OT | 4 |"]


def test_pipes_in_cells_are_escaped_and_ragged_columns_refused():
    assert "a \\| b" in markdown_table({"x": ["a | b"]})
    with pytest.raises(ValueError, match="different lengths"):
        markdown_table({"x": [1, 2], "y": [1]})
