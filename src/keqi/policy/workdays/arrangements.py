"""The State Council's yearly holiday arrangements (部分节假日安排), as data with their sources.

Each year's arrangement is published by 国务院办公厅 as 《国务院办公厅关于XXXX年部分节假日安排的通知》,
usually in October or November of the year before. A year is ``confirmed`` only when the notice's
text was read in a reproduction (the government site itself could not be opened from here); its
days are copied from that text. A year whose notice was not found is listed with ``confirmed=False``
and no days: KeQi then counts weekends only for it, says so wherever a window touches it, and the
city administrator enters the arrangement once it is published (the 工作日历 page, or the admin).

Days are the notice's "放假调休" spans (weekends inside a span included, as the notice writes them)
and its "上班" days (the Saturdays and Sundays made working days).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

D = dt.date


@dataclass(frozen=True)
class Holiday:
    name: str
    first: dt.date
    last: dt.date

    def days(self) -> list[dt.date]:
        if self.last < self.first:
            raise ValueError(f"{self.name}: the holiday ends before it starts")
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Arrangement:
    year: int
    confirmed: bool
    document: str  # title and number of the notice, as far as known
    published: dt.date | None
    source: str  # where the text was read (reproductions of the official text)
    holidays: tuple[Holiday, ...] = ()
    workdays: tuple[dt.date, ...] = ()  # Saturdays and Sundays made working days (调休上班)
    note: str = ""


ARRANGEMENTS: tuple[Arrangement, ...] = (
    Arrangement(
        year=2024, confirmed=True,
        document="《国务院办公厅关于2024年部分节假日安排的通知》（国办发明电〔2023〕7号）",
        published=D(2023, 10, 25),
        source="全文见《中华人民共和国国务院公报》2023年第31号（维基文库转录）及《人民日报》2023年10月26日第06版",
        holidays=(
            Holiday("元旦", D(2024, 1, 1), D(2024, 1, 1)),
            Holiday("春节", D(2024, 2, 10), D(2024, 2, 17)),
            Holiday("清明节", D(2024, 4, 4), D(2024, 4, 6)),
            Holiday("劳动节", D(2024, 5, 1), D(2024, 5, 5)),
            Holiday("端午节", D(2024, 6, 10), D(2024, 6, 10)),
            Holiday("中秋节", D(2024, 9, 15), D(2024, 9, 17)),
            Holiday("国庆节", D(2024, 10, 1), D(2024, 10, 7)),
        ),
        workdays=(D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11), D(2024, 9, 14),
                  D(2024, 9, 29), D(2024, 10, 12)),
        note="通知鼓励安排职工在除夕（2月9日）休息，但除夕不是放假日，按工作日计。",
    ),
    Arrangement(
        year=2025, confirmed=True,
        document="《国务院办公厅关于2025年部分节假日安排的通知》（国办发明电〔2024〕12号；文号见转载稿）",
        published=D(2024, 11, 12),
        source="新华社北京2024年11月12日电全文（光明网 m.gmw.cn/2024-11/12/content_1303894933.htm 转载）",
        holidays=(
            Holiday("元旦", D(2025, 1, 1), D(2025, 1, 1)),
            Holiday("春节", D(2025, 1, 28), D(2025, 2, 4)),
            Holiday("清明节", D(2025, 4, 4), D(2025, 4, 6)),
            Holiday("劳动节", D(2025, 5, 1), D(2025, 5, 5)),
            Holiday("端午节", D(2025, 5, 31), D(2025, 6, 2)),
            Holiday("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8)),
        ),
        workdays=(D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)),
        note="自2025年起按2024年11月修订的《全国年节及纪念日放假办法》，增加农历除夕、5月2日两天假日。",
    ),
    Arrangement(
        year=2026, confirmed=True,
        document="《国务院办公厅关于2026年部分节假日安排的通知》（2025年11月4日；文号未见）",
        published=D(2025, 11, 4),
        source="新华社北京2025年11月4日电全文（光明网 politics.gmw.cn/2025-11/04/content_38391083.htm 转载）",
        holidays=(
            Holiday("元旦", D(2026, 1, 1), D(2026, 1, 3)),
            Holiday("春节", D(2026, 2, 15), D(2026, 2, 23)),
            Holiday("清明节", D(2026, 4, 4), D(2026, 4, 6)),
            Holiday("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
            Holiday("端午节", D(2026, 6, 19), D(2026, 6, 21)),
            Holiday("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
            Holiday("国庆节", D(2026, 10, 1), D(2026, 10, 7)),
        ),
        workdays=(D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)),
    ),
    Arrangement(
        year=2027, confirmed=False,
        document="《国务院办公厅关于2027年部分节假日安排的通知》（未能核实）",
        published=None,
        source="未找到可核对的全文",
        note="2027年的放假调休安排未能核实：在录入前按双休日计算工作日，涉及2027年的期限会标注“未确认”。"
             "通知发布后请市科技局管理员在“工作日历”中录入。",
    ),
)
