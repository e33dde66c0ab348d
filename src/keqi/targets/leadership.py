"""The leadership report (数读): key figures with forecasts, lagging units, the tier funnel and the
trend in the caller's scope, and the same as a workbook.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from keqi.accounts.scope import Scope

from . import forecast
from .dashboard import default_scope_key, funnel, trend
from .forecasting import forecasts
from .models import Indicator
from .services import COUNTED, Progress, progress, scope_label, unit_names


@dataclass(frozen=True)
class Row:
    progress: Progress
    forecast: forecast.Forecast | None

    @property
    def flagged(self) -> bool:
        """Lagging now, or forecast to miss what it needs by the year-end."""
        return bool(self.progress.lagging) or (self.forecast is not None and self.forecast.status != "on_track")


def report(*, scope: Scope, year: int, on: dt.date) -> dict:
    """The key figures, the tier funnel, the trend and the lagging units, in the caller's scope:
    the city for the city administrator, its own unit for a district officer."""
    scope.require_read()
    scope.require("targets.report")
    rows = progress(scope=scope, year=year, on=on)
    fc = forecasts(rows=rows, on=on)
    own = default_scope_key(scope=scope)
    unit_id = None if scope.is_city else scope.unit_id
    all_rows = [Row(p, fc.get((p.indicator, p.scope_key))) for p in rows]
    key_rows = [r for r in all_rows if (r.progress.scope_key == own
                                        or (scope.is_city and r.progress.scope_key.startswith("zone:")))]
    lagging = [r for r in all_rows if r.progress.scope_key.startswith("unit:") and r.flagged]
    return {
        "scope_key": own,
        "scope_label": scope_label(own, unit_names()),
        "year": year, "on": on,
        "key_rows": key_rows,
        "sources": list(dict.fromkeys(r.progress.source for r in key_rows if r.progress.source)),
        "lagging": lagging,
        "funnel": funnel(scope=scope, on=on, unit_id=unit_id),
        "trend": {ind: trend(scope=scope, indicator=ind, scope_key=own, on=on) for ind in COUNTED},
    }


def report_xlsx(*, data: dict, path) -> None:
    """The report as a workbook: key figures, lagging units, the tier funnel and the trend."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#F3F4F6", "border": 1})
    pct = book.add_format({"num_format": "0.0%"})
    title = book.add_format({"bold": True, "font_size": 14})

    def table(sheet_name: str, caption: str, headers: list[str], rows: list[list]) -> None:
        ws = book.add_worksheet(sheet_name)
        ws.write(0, 0, caption, title)
        for c, h in enumerate(headers):
            ws.write(2, c, h, bold)
            ws.set_column(c, c, max(12, len(h) * 2))
        for r, values in enumerate(rows, start=3):
            for c, v in enumerate(values):
                if isinstance(v, tuple):  # (share, "pct")
                    ws.write_number(r, c, v[0], pct) if v[0] is not None else ws.write_blank(r, c, None)
                elif v is None:
                    ws.write_blank(r, c, None)
                elif isinstance(v, int | float | Decimal):
                    ws.write_number(r, c, float(v))
                else:
                    ws.write_string(r, c, str(v))

    def fig_rows(rows: list[Row]) -> list[list]:
        out = []
        for r in rows:
            p, f = r.progress, r.forecast
            out.append([p.scope_label, p.label, p.target, p.base, p.actual,
                        (float(p.covered) if p.covered is not None else None,), (float(p.elapsed),),
                        round(f.central) if f else None, round(f.low) if f else None, round(f.high) if f else None,
                        round(f.needed) if f else None, STATUS_ZH.get(f.status, "") if f else "",
                        "落后" if p.lagging else ("正常" if p.lagging is False else "无数据"), p.source])
        return out

    heads = ["范围", "指标", "目标", "期初", "现值", "完成进度", "时间进度", "年末预测", "预测下限", "预测上限",
             "年末应达", "预测判断", "进度判断", "来源"]
    caption = f"数读 · {data['scope_label']} · {data['year']} 年目标 · 截至 {data['on'].isoformat()}"
    table("关键指标", caption, heads, fig_rows(data["key_rows"]))
    table("落后单位", caption, heads, fig_rows(data["lagging"]))
    table("梯次", caption, ["梯次", "最高梯次在此的企业", "持有本梯次资格的企业"],
          [[t["label"], t["firms"], None if i == 0 else t["holders"]] for i, t in enumerate(data["funnel"])])
    labels = dict(Indicator.choices)
    trend_rows = []
    for ind, points in data["trend"].items():
        trend_rows += [[str(labels[ind]), p["on"].isoformat(), p["value"]] for p in points]
    table("趋势", caption, ["指标", "日期", "持有有效资格的企业"], trend_rows)
    book.close()


STATUS_ZH = {"on_track": "可完成", "at_risk": "有风险", "off_track": "难完成"}
