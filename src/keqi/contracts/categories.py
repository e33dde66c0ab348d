"""技术合同 categories and sub-kinds, as data (pure Python, no Django).

Source: ``../shared/reference/criteria.md`` §4.2 — the Civil Code (民法典 第八百六十三条) and the
new 《技术合同认定登记规则》 count five categories; 技术培训 and 技术中介 are sub-kinds of 技术服务
(as in the 2001 规则). The sub-kind lists below follow that table; "其他…" keeps the other
转让/许可 objects the rules allow (生物医药新品种, 技术入股 registered as 转让 …) registrable.
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, ...]] = {
    "技术开发": ("委托开发", "合作开发"),
    "技术转让": (
        "专利权转让",
        "专利申请权转让",
        "技术秘密转让",
        "集成电路布图设计专有权转让",
        "植物新品种权转让",
        "计算机软件著作权转让",
        "其他技术转让",
    ),
    "技术许可": (
        "专利实施许可（独占）",
        "专利实施许可（排他）",
        "专利实施许可（普通）",
        "技术秘密使用许可",
        "其他技术许可",
    ),
    "技术咨询": ("可行性论证", "技术预测", "专题技术调查", "分析评价报告", "其他技术咨询"),
    "技术服务": ("一般技术服务", "技术培训", "技术中介"),
}

ALL_SUB_KINDS: tuple[str, ...] = tuple(s for subs in CATEGORIES.values() for s in subs)


def pair_fault(category: str | None, sub_kind: str | None) -> str | None:
    """Why a (category, sub-kind) pair is not valid, in Chinese; ``None`` when it is."""
    if category not in CATEGORIES:
        return f"未知的合同类别（可选：{'、'.join(CATEGORIES)}）"
    if sub_kind not in CATEGORIES[category]:
        return f"“{sub_kind}”不是{category}合同的子类（可选：{'、'.join(CATEGORIES[category])}）"
    return None
