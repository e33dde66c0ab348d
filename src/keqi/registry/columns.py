"""The import/export format: one row per enterprise and fiscal year, Chinese headers.

This module is the single description of the spreadsheet that district officers exchange: the
template, the importer, the exporter and the synthetic population all read it, so a header is
spelt in exactly one place. Field names follow the evaluation contract
(``../shared/reference/firm-profile.md``); money travels in 万元 (ten-thousand yuan) as officers
expect and is stored as integer yuan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from keqi.policy.fields import HITECH_FIELDS as _HITECH_FIELDS

Kind = Literal["uscc", "text", "district", "date", "choice", "industry", "year", "count", "money", "usd", "bool"]
Level = Literal["enterprise", "report"]

REPORT_SHEET = "企业年报"
QUALIFICATION_SHEET = "资质"

# 国家重点支持的高新技术领域 (2016): a policy fact, defined with the criteria.
HITECH_FIELDS = _HITECH_FIELDS

ENTERPRISE_STATUSES = ("存续", "注销", "吊销", "迁出")

# choice columns of the upper rungs: label shown to officers → the profile's code (keqi.policy.profile.SME)
RD_INSTITUTION_CODES = {
    "国家级": "national",
    "省级": "provincial",
    "市级": "municipal",
    "市级以下": "below_municipal",
    "无": "none",
}
PRODUCT_FIELD_CODES = {"补短板、锻长板、填空白": "short_board", "工业六基等": "six_basics", "其他": "other"}
DIGITAL_LEVEL_CODES = {"一级": 1, "二级": 2, "三级": 3}
CHUANGKE_CODES = {"全国50强": "top50", "全国500强": "top500", "未入围": "none"}
RD_INSTITUTION_LEVELS = tuple(RD_INSTITUTION_CODES)
PRODUCT_FIELDS = tuple(PRODUCT_FIELD_CODES)
DIGITAL_LEVELS = tuple(DIGITAL_LEVEL_CODES)
CHUANGKE_GROUPS = tuple(CHUANGKE_CODES)

TRUE_WORDS = ("是", "有", "Y", "YES", "TRUE", "1", "√")
FALSE_WORDS = ("否", "无", "N", "NO", "FALSE", "0", "×")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: Kind
    level: Level
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    signed: bool = False  # a money figure that may be negative (净资产, 净利润)


REPORT_COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", "uscc", "enterprise", True, help="18位，GB 32100-2015"),
    Column("name", "企业名称", "text", "enterprise", True),
    Column("district", "所属区县", "district", "enterprise", True, help="区县名称或GB/T 2260代码，或功能区名称"),
    Column("registered_on", "注册成立日期", "date", "enterprise", True, help="YYYY-MM-DD"),
    Column("hitech_field", "高新技术领域", "choice", "enterprise", choices=HITECH_FIELDS),
    Column("industry_code", "国民经济行业代码", "industry", "enterprise", help="GB/T 4754-2017，如 I6513 或 6513"),
    Column("status", "经营状态", "choice", "enterprise", choices=ENTERPRISE_STATUSES, help="留空视为存续"),
    Column("fiscal_year", "年度", "year", "report", True),
    Column("staff_total", "职工总数", "count", "report"),
    Column("tech_staff", "科技人员数", "count", "report"),
    Column("senior_tech_staff", "副高级及以上职称科技人员数", "count", "report"),
    Column("revenue", "销售收入（万元）", "money", "report"),
    Column("rd_expense", "研究开发费用总额（万元）", "money", "report"),
    Column("rd_expense_domestic", "其中：境内研究开发费用（万元）", "money", "report"),
    Column("cost_total", "成本费用支出总额（万元）", "money", "report"),
    Column("total_assets", "资产总额（万元）", "money", "report"),
    Column("net_assets", "净资产（万元）", "money", "report", help="可为负数", signed=True),
    Column("hitech_revenue", "高新技术产品（服务）收入（万元）", "money", "report"),
    Column("ip_class1", "Ⅰ类知识产权数", "count", "report"),
    Column("ip_class2", "Ⅱ类知识产权数", "count", "report"),
    Column("ip_self_developed", "有自主研发知识产权", "bool", "report"),
    Column("conversions_3y", "近三年科技成果转化数", "count", "report"),
    Column("flag_major_incident", "重大安全质量事故或严重环境违法", "bool", "report"),
    Column("flag_research_misconduct", "科研严重失信行为", "bool", "report"),
    Column("flag_credit_blacklisted", "列入严重违法失信企业名单", "bool", "report"),
    Column("flag_abnormal_operation", "列入经营异常名录", "bool", "report"),
    Column("flag_prohibited_industry", "属禁止、限制和淘汰类", "bool", "report"),
    Column("direct_national_award_top3", "近五年国家级科技奖励（前三名）", "bool", "report"),
    Column("direct_provincial_rd_institution", "省部级以上研发机构", "bool", "report"),
    Column("direct_led_standard", "近五年主导制定标准", "bool", "report"),
    Column("rd_accounting", "研发投入核算体系及辅助账", "bool", "report"),
    Column("rd_institution", "内部研发机构及产学研合作", "bool", "report"),
    Column("conversion_incentives", "成果转化激励制度", "bool", "report"),
    Column("talent_development", "人才培养与绩效奖励制度", "bool", "report"),
    Column("standards_participation", "参与编制国家或行业标准", "bool", "report"),
    Column("valuation_usd", "最新估值（万美元）", "usd", "report"),
    Column("financing_usd", "累计融资额（万美元）", "usd", "report"),
    # -- the upper rungs: 优质中小企业梯度培育 (创新型/专精特新/小巨人) and 科创属性 (all optional)
    Column("main_revenue", "主营业务收入（万元）", "money", "report"),
    Column("net_profit", "净利润（万元）", "money", "report", help="亏损填负数", signed=True),
    Column(
        "equity_financing", "当年新增股权融资（合格机构投资者实缴，万元）", "money", "report"
    ),
    Column("rd_staff", "研发人员数", "count", "report"),
    Column("sme_niche_years", "从事特定细分市场年限", "count", "report", help="截至该年末，整年"),
    Column("sme_market_share_pct", "主导产品细分市场占有率（%）", "count", "report", help="整数百分比，向下取整"),
    Column("sme_market_rank", "主导产品国内细分市场排名", "count", "report", help="1 表示第一"),
    Column("sme_market_leading", "细分市场占有率较为靠前且有一定知名度", "bool", "report"),
    Column(
        "sme_quality_score", "专精特新发展质量评价得分", "count", "report", help="平台计算，整数，向下取整"
    ),
    Column("sme_rd_institution_level", "研发机构级别", "choice", "report", choices=RD_INSTITUTION_LEVELS),
    Column("sme_chain_key_link", "主导产品位于产业链关键环节", "bool", "report"),
    Column("sme_key_field", "主导产品属六基、制造强国或网络强国重点领域", "bool", "report"),
    Column("sme_product_field", "主导产品所属领域（专精特新评分）", "choice", "report", choices=PRODUCT_FIELDS),
    Column("sme_strategic_emerging", "主导产品属战略性新兴产业", "bool", "report"),
    Column("sme_digital_level", "数字化水平等级", "choice", "report", choices=DIGITAL_LEVELS),
    Column("sme_quality_items", "质量管理水平项数", "count", "report", help="质量奖、体系认证、自主品牌、参与制修订标准，0–4"),
    Column("sme_local_points", "特色化指标得分", "count", "report", help="地方特色指标，0–15"),
    Column("sme_quality_certified", "质量管理体系认证或产品认证", "bool", "report"),
    Column("sme_own_brand", "拥有自主品牌", "bool", "report"),
    Column("sme_info_system", "核心业务采用信息系统支撑", "bool", "report"),
    Column("sme_innovation_honour", "技术创新示范或知识产权优势/示范企业", "bool", "report"),
    Column("sme_award_national_top3", "近三年国家级科技奖励（前三名）", "bool", "report"),
    Column("sme_award_provincial_top3", "近三年省部级科技奖励（前三名）", "bool", "report"),
    Column("sme_award_any", "近三年国家级或省级科技奖励", "bool", "report"),
    Column("sme_chuangke", "近三年创客中国全国企业组", "choice", "report", choices=CHUANGKE_GROUPS),
    Column("sme_ip_class1_in_use", "Ⅰ类知识产权已实际应用并产生效益", "bool", "report", help="非转入取得且为前三权利人"),
    Column("sme_ip_class1_high_value", "其中高价值Ⅰ类知识产权数", "count", "report"),
    Column("sme_rereview", "本次为复核", "bool", "report"),
    Column("star_invention_patents", "应用于主营业务的发明专利数", "count", "report", help="含国防专利"),
    Column("star_software", "软件行业企业", "bool", "report"),
    Column("star_revenue_exempt", "按第五套标准或红筹企业申报", "bool", "report"),
    Column("star_leading_tech", "核心技术国际领先或引领", "bool", "report"),
    Column("star_national_award", "国家科技奖（主要参与单位）", "bool", "report"),
    Column("star_major_project", "牵头承担国家重大科技专项", "bool", "report"),
    Column("star_import_substitution", "关键产品实现进口替代", "bool", "report"),
    Column("star_negative_list", "属科创板限制或禁止行业", "bool", "report"),
)

# 资质: official statuses held (科技型企业入库, 高新技术企业 ...), one row per certificate.
QUALIFICATION_KINDS = {
    "cq_tech": "科技型企业入库",
    "tsme": "科技型中小企业",
    "innovative_sme": "创新型中小企业",
    "hnte": "高新技术企业",
    "gazelle": "瞪羚企业",
    "potential_unicorn": "潜在独角兽企业",
    "unicorn": "独角兽企业",
    "srdi": "专精特新中小企业",
    "little_giant": "专精特新“小巨人”企业",
    "star_listed": "科创板上市",
}

QUALIFICATION_COLUMNS: tuple[Column, ...] = (
    Column("uscc", "统一社会信用代码", "uscc", "enterprise", True),
    Column("kind", "资质类型", "choice", "report", True, choices=tuple(QUALIFICATION_KINDS.values())),
    Column("number", "证书编号/入库编号", "text", "report"),
    Column("valid_from", "有效期起", "date", "report", True),
    Column("valid_to", "有效期止", "date", "report", help="留空表示长期有效"),
    Column("source", "来源", "text", "report", help="如 认定公告文号"),
)

HEADER_TO_COLUMN = {c.header: c for c in REPORT_COLUMNS}
QUALIFICATION_HEADER_TO_COLUMN = {c.header: c for c in QUALIFICATION_COLUMNS}
TEXT_KINDS = ("uscc", "text", "district", "date", "choice", "industry")
