"""What the fields of the firm profile (../shared/reference/firm-profile.md) are called on the pages.

A pure label table, beside the profile's fields: a gap note says 请补充：研究开发费用总额 (not
``financials[].rd_expense``). Names follow the exchange format's headers (registry.columns) without the
unit, and the official terms of the profile. A path not in the table is never shown as it is: it
becomes 相关数据.
"""

from __future__ import annotations

import re

FIELD_LABELS: dict[str, str] = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "district_code": "所属区县",
    "registered_on": "注册成立日期",
    "assess_on": "评价日期",
    "hitech_field": "高新技术领域",
    "industry_code": "国民经济行业代码",
    "legal_person": "法人资格",
    "cq_tech_registered": "已入库重庆市科技型企业",
    "staff_total": "职工总数",
    "tech_staff": "科技人员数",
    "senior_tech_staff": "副高级及以上职称科技人员数",
    "rd_staff": "研发人员数",
    "financials[].revenue": "销售收入",
    "financials[].main_revenue": "主营业务收入",
    "financials[].rd_expense": "研究开发费用总额",
    "financials[].rd_expense_domestic": "境内研究开发费用",
    "financials[].cost_total": "成本费用支出总额",
    "financials[].total_assets": "资产总额",
    "financials[].net_assets": "净资产",
    "financials[].hitech_revenue": "高新技术产品（服务）收入",
    "financials[].equity_financing": "股权融资额",
    "financials[].net_profit": "净利润",
    "ip.*": "知识产权情况",
    "ip.class1": "Ⅰ类知识产权数",
    "ip.class2": "Ⅱ类知识产权数",
    "ip.self_developed": "有自主研发知识产权",
    "conversions_3y": "近三年科技成果转化数",
    "flags.*": "不良记录各项",
    "flags.major_incident": "重大安全质量事故或严重环境违法",
    "flags.research_misconduct": "科研严重失信行为",
    "flags.credit_blacklisted": "列入严重违法失信企业名单",
    "flags.abnormal_operation": "列入经营异常名录",
    "flags.prohibited_industry": "属禁止、限制和淘汰类",
    "direct.*": "直通条件各项",
    "direct.hnte_certificate_valid": "有效的高新技术企业证书",
    "direct.national_award_top3": "近五年国家级科技奖励（前三名）",
    "direct.provincial_rd_institution": "省部级以上研发机构",
    "direct.led_standard": "近五年主导制定标准",
    "rd_management.*": "研究开发组织管理各项",
    "standards_participation": "参与编制国家或行业标准",
    "valuation_usd": "最新估值",
    "financing_usd": "累计融资额",
    "expert.tech_advancement": "技术先进程度（专家评分）",
    "expert.core_support": "核心支持作用（专家评分）",
    "sme.*": "专精特新各项指标",
    "sme.niche_years": "从事特定细分市场年限",
    "sme.market_share_pct": "主导产品细分市场占有率",
    "sme.market_rank": "主导产品国内细分市场排名",
    "sme.market_leading": "细分市场占有率较为靠前且有一定知名度",
    "sme.rd_institution_level": "研发机构级别",
    "sme.chain_key_link": "主导产品位于产业链关键环节",
    "sme.key_field": "主导产品属六基、制造强国或网络强国重点领域",
    "sme.quality_certified": "质量管理体系认证或产品认证",
    "sme.quality_score": "质量管理水平",
    "sme.quality_items": "质量管理水平项数",
    "sme.digital_level": "数字化水平等级",
    "sme.ip_class1_high_value": "高价值Ⅰ类知识产权数",
    "sme.local_points": "特色化指标得分",
    "sme.product_field": "主导产品所属领域",
    "sme.strategic_emerging": "主导产品属战略性新兴产业",
    "sme.own_brand": "拥有自主品牌",
    "sme.info_system": "核心业务采用信息系统支撑",
    "sme.innovation_honour": "技术创新示范或知识产权优势/示范企业",
    "sme.award_*": "近三年科技奖励",
    "sme.award_national_top3": "近三年国家级科技奖励（前三名）",
    "sme.chuangke": "近三年创客中国全国企业组",
    "sme.ip_class1_in_use": "Ⅰ类知识产权已实际应用并产生效益",
    "sme.rereview": "本次为复核",
    "sme.title_innovative_sme": "创新型中小企业称号",
    "sme.title_srdi": "专精特新中小企业称号",
    "sme.title_tsme": "科技型中小企业入库",
    "star.invention_patents": "应用于主营业务的发明专利数",
    "star.software": "软件行业企业",
    "star.revenue_exempt": "按第五套标准或红筹企业申报",
    "star.leading_tech": "核心技术国际领先或引领",
    "star.national_award": "国家科技奖（主要参与单位）",
    "star.major_project": "牵头承担国家重大科技专项",
    "star.import_substitution": "关键产品实现进口替代",
    "star.negative_list": "属科创板限制或禁止行业",
}

UNKNOWN = "相关数据"


def field_label(path: str) -> str:
    """The Chinese name of one profile field (``financials[].rd_expense`` → 研究开发费用总额)."""
    return FIELD_LABELS.get(path.strip(), UNKNOWN)


def fields_text(paths: str) -> str:
    """A criterion's ``fields`` (comma-separated paths) as a Chinese list: 研究开发费用总额、销售收入.

    Empty when none of them is a field the firm can fill in (a criterion that only a review decides).
    """
    names: list[str] = []
    for path in paths.split(","):
        path = path.strip()
        if not path or not path.isascii():  # a note such as （无法由数据判定）, not a field
            continue
        label = field_label(path)
        if label not in names:
            names.append(label)
    return "、".join(names)


# How sure a criterion's source is (editions' ``Source.status``; criteria.md's legend), in the words on the pages
EVIDENCE_LABELS: dict[str, str] = {
    "TEXT": "原文",
    "SECONDARY": "转述",
    "UNCONFIRMED": "待核实",
    "SETTING": "局设置",
}
EVIDENCE_NOTE = ("来源标注：原文＝依据文件原文；转述＝依据权威解读或转载，原文尚未取得；"
                 "待核实＝出处尚未核实，采用局设置的默认值（非官方口径）；局设置＝由市科技局设定。")


def evidence_label(status: str) -> str:
    return EVIDENCE_LABELS.get(status, "待核实")


def edition_label(edition_id: str) -> str:
    """An edition's name on the pages: its title, with its year when the title does not say it
    (hnte-2016 → 高新技术企业认定（2016年版）). An unknown id is not shown as it is."""
    from keqi.policy.editions import get

    try:
        edition = get(edition_id)
    except KeyError:
        return "评价标准"
    if "年" in edition.title:
        return edition.title
    return f"{edition.title}（{edition.version.split('.')[0]}年版）"


_FILE_REFERENCE = re.compile(r"\s*[（(]\s*[\w./-]+\.md(?:\s*§\s*[\d.]+)?\s*[）)]"  # （tiers.md §2.2）
                             r"|[，,;；]\s*[\w./-]+\.md(?:\s*§\s*[\d.]+)?"  # …117号，tiers.md §2.0
                             r"|\s*(?:详见|见|see)\s*[\w./-]+\.md[。.]?"  # 详见 docs/targets.md。
                             r"|[\w./-]+\.md(?:\s*§\s*[\d.]+)?\s*", re.IGNORECASE)  # any other mention


def citation(text: str) -> str:
    """A source as people read it: the document and its article, without the references to KeQi's own
    reference files (``（tiers.md §1.2）``) that the editions keep for their maintainers."""
    text = _FILE_REFERENCE.sub("", text or "").strip()
    return _EVIDENCE_WORD.sub(lambda m: EVIDENCE_LABELS[m.group(0)], text)


_EVIDENCE_WORD = re.compile(r"\b(?:TEXT|SECONDARY|UNCONFIRMED|SETTING)\b")
