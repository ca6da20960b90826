"""The KPI dock: figures that do not wrap apart, bar labels clear of the target tick."""

from __future__ import annotations

from types import SimpleNamespace

from ui.kpi_dock import NBSP, QtKpiDock


def test_summary_keeps_value_and_unit_together(qtbot):
    dock = QtKpiDock()
    qtbot.addWidget(dock)
    overall = SimpleNamespace(
        reports=12, open_reports=3, rpt_mean_min=21.46, rpt_achievement_pct=124.4,
        rct_mean_min=None, rct_achievement_pct=None,
    )  # fmt: skip
    koba = SimpleNamespace(
        ulp="Koba", rpt_mean_min=21.46, rpt_target_min=28.4, rct_mean_min=None, rct_target_min=48.2
    )
    dock.set_kpis([koba], overall)

    text = dock.summary.text()
    assert f"RPT{NBSP}21.5{NBSP}mnt (capaian{NBSP}124.4{NBSP}%)" in text
    assert f"RCT{NBSP}–" in text


def test_a_bar_label_sits_above_the_target_tick(qtbot):
    dock = QtKpiDock()
    qtbot.addWidget(dock)
    chart = dock.rpt_chart
    chart.show_values(["Koba", "Mentok"], [27.0, 40.0], [28.4, 28.4])

    below_target, above_target = chart._labels
    assert below_target.pos().y() == 28.4  # lifted to the tick, not on the bar top (27)
    assert above_target.pos().y() == 40.0
