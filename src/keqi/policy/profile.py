"""The firm profile: the input of every policy evaluation (pydantic v2).

Field names follow the evaluation contract (``shared/reference/firm-profile.md``) and must not be
renamed. ``Profile.model_json_schema()`` is the published JSON Schema (``keqi schema``).

Conventions:

- Money is integer yuan. ``net_assets`` may be negative; every other amount is ``>= 0``.
- Booleans are nullable: ``None`` means "not known", which never counts as a pass. The engine turns an
  unknown into an undecided criterion (``passed: null``) with a points range.
- ``financials`` holds one entry per fiscal year, in any order; only the latest three consecutive
  years are used (y1 = latest, y2 = the year before, y3 = two years before).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from keqi.policy.fields import HITECH_FIELDS
from keqi.policy.uscc import normalise, uscc_faults

__all__ = [
    "HITECH_FIELDS",
    "IP",
    "SME",
    "Direct",
    "Expert",
    "Financials",
    "Flags",
    "Profile",
    "RDManagement",
    "Star",
]

Yuan = Annotated[int, Field(ge=0, description="integer yuan")]
Count = Annotated[int, Field(ge=0)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Financials(_Model):
    """One fiscal year of accounts (a row of 企业年报)."""

    year: int = Field(ge=1949, le=2200, description="fiscal year")
    revenue: Yuan | None = Field(None, description="销售收入 (营业收入), yuan")
    rd_expense: Yuan | None = Field(None, description="研究开发费用总额, yuan")
    rd_expense_domestic: Yuan | None = Field(None, description="其中境内研究开发费用, yuan")
    cost_total: Yuan | None = Field(None, description="成本费用支出总额, yuan")
    total_assets: Yuan | None = Field(None, description="资产总额 (year end), yuan")
    net_assets: int | None = Field(None, description="净资产 (year end), yuan; may be negative")
    hitech_revenue: Yuan | None = Field(None, description="高新技术产品(服务)收入, yuan")
    main_revenue: Yuan | None = Field(None, description="主营业务收入, yuan")
    net_profit: int | None = Field(None, description="净利润, yuan; may be negative")
    equity_financing: Yuan | None = Field(None, description="当年新增股权融资（合格机构投资者实缴额）, yuan")

    @model_validator(mode="after")
    def _parts_within_totals(self) -> Financials:
        if self.revenue is not None and self.main_revenue is not None:
            if self.main_revenue > self.revenue:
                raise ValueError("main_revenue 不能大于 revenue")
        if self.rd_expense is not None and self.rd_expense_domestic is not None:
            if self.rd_expense_domestic > self.rd_expense:
                raise ValueError("rd_expense_domestic 不能大于 rd_expense")
        if self.revenue is not None and self.hitech_revenue is not None:
            if self.hitech_revenue > self.revenue:
                raise ValueError("hitech_revenue 不能大于 revenue")
        return self


class IP(_Model):
    """Valid intellectual property related to the main products (知识产权)."""

    class1: Count | None = Field(None, description="Ⅰ类知识产权数 (发明专利等)")
    class2: Count | None = Field(None, description="Ⅱ类知识产权数 (实用新型、外观设计、软件著作权)")
    self_developed: bool | None = Field(None, description="至少一项通过自主研发获得")


class Flags(_Model):
    """Integrity and industry flags (True = the adverse fact holds)."""

    major_incident: bool | None = Field(None, description="重大安全、重大质量事故或严重环境违法")
    research_misconduct: bool | None = Field(None, description="科研严重失信行为")
    credit_blacklisted: bool | None = Field(None, description="列入严重违法失信企业名单")
    abnormal_operation: bool | None = Field(None, description="列入经营异常名录")
    prohibited_industry: bool | None = Field(None, description="产品或服务属禁止、限制和淘汰类")


class Direct(_Model):
    """科技型中小企业 第八条 direct-qualification facts."""

    hnte_certificate_valid: bool | None = Field(None, description="拥有有效期内高新技术企业资格证书")
    national_award_top3: bool | None = Field(None, description="近五年获国家级科技奖励且排名前三")
    provincial_rd_institution: bool | None = Field(None, description="拥有经认定的省部级以上研发机构")
    led_standard: bool | None = Field(None, description="近五年主导制定国际、国家或行业标准")


class RDManagement(_Model):
    """高新技术企业 研究开发组织管理水平: the four sub-items of the 工作指引."""

    rd_accounting: bool | None = Field(
        None, description="研发组织管理制度、研发投入核算体系、研发费用辅助账 (≤6分)"
    )
    rd_institution: bool | None = Field(None, description="内部研发机构及产学研合作 (≤6分)")
    conversion_incentives: bool | None = Field(
        None, description="成果转化组织实施与激励奖励制度、开放式创新平台 (≤4分)"
    )
    talent_development: bool | None = Field(None, description="人才培养、引进及绩效评价奖励制度 (≤4分)")


class Expert(_Model):
    """Expert-judged sub-scores of the 高新技术企业 innovation score, when known.

    A score is clamped into the points range the data allow for that item (e.g. an
    ``ip_quantity`` of 8 for a firm with two Ⅱ类 items counts as 2).
    """

    tech_advancement: int | None = Field(None, ge=0, le=8, description="技术的先进程度 (0–8)")
    core_support: int | None = Field(None, ge=0, le=8, description="核心支持作用 (0–8)")
    ip_quantity: int | None = Field(None, ge=0, le=8, description="知识产权数量 (0–8)")
    ip_acquisition: int | None = Field(None, ge=0, le=6, description="知识产权获得方式 (0–6)")
    ip_standards: int | None = Field(None, ge=0, le=2, description="参与编制标准加分 (0–2)")
    conversion: int | None = Field(None, ge=0, le=30, description="科技成果转化能力 (0–30)")
    rd_management: int | None = Field(None, ge=0, le=20, description="研究开发组织管理水平 (0–20)")
    net_asset_growth: int | None = Field(None, ge=0, le=10, description="净资产增长率得分 (0–10)")
    revenue_growth: int | None = Field(None, ge=0, le=10, description="销售收入增长率得分 (0–10)")


RDInstitutionLevel = Literal["national", "provincial", "municipal", "below_municipal", "none"]
ProductField = Literal["short_board", "six_basics", "other"]
Chuangke = Literal["top50", "top500", "none"]


class SME(_Model):
    """Facts of the 优质中小企业梯度培育 tiers (创新型/专精特新/小巨人) that officers record.

    Items the documents leave to a platform score or to judgment (质量评价得分, market position,
    supply-chain role) are recorded here, never inferred; a missing one leaves its item undecided.
    """

    niche_years: Count | None = Field(None, description="截至上年末从事特定细分市场年限 (整年)")
    market_share_pct: float | None = Field(
        None, ge=0, le=100, description="主导产品细分市场占有率, 百分数 (12.5 = 12.5%)"
    )
    market_rank: int | None = Field(None, ge=1, description="主导产品在国内细分市场的排名 (1 = 第一)")
    market_leading: bool | None = Field(
        None, description="主导产品细分市场占有率较为靠前，具有一定知名度和影响力 (判断)"
    )
    quality_score: float | None = Field(
        None, ge=0, le=100, description="当年度中小企业专精特新发展质量评价得分 (平台计算)"
    )
    rd_institution_level: RDInstitutionLevel | None = Field(
        None, description="建立研发机构级别: national/provincial/municipal/below_municipal/none"
    )
    chain_key_link: bool | None = Field(
        None,
        description="主导产品位于产业链关键环节，对产业链供应链安全稳定有重要支撑作用 (判断)",
    )
    key_field: bool | None = Field(
        None, description="主导产品属工业'六基'、制造强国十大重点产业领域或网络强国领域"
    )
    product_field: ProductField | None = Field(
        None,
        description="主导产品所属领域 (2022 评分): short_board 补短板/锻长板/填空白; six_basics 六基等; other",
    )
    strategic_emerging: bool | None = Field(None, description="主导产品属《战略性新兴产业分类》")
    digital_level: int | None = Field(None, ge=1, le=3, description="数字化水平等级 (1–3)")
    quality_items: int | None = Field(
        None, ge=0, le=4, description="质量管理水平项数 (质量奖、体系认证、自主品牌、参与制修订标准)"
    )
    local_points: int | None = Field(None, ge=0, le=15, description="特色化指标得分 (地方, 0–15)")
    quality_certified: bool | None = Field(None, description="取得质量管理体系认证或发达国家和地区产品认证")
    own_brand: bool | None = Field(None, description="拥有自主品牌")
    info_system: bool | None = Field(None, description="至少1项核心业务采用信息系统支撑")
    innovation_honour: bool | None = Field(
        None, description="有效期内国家级技术创新示范企业、知识产权优势企业或示范企业等荣誉"
    )
    award_national_top3: bool | None = Field(None, description="近三年获国家级科技奖励并在获奖单位中排名前三")
    award_provincial_top3: bool | None = Field(
        None, description="近三年获省部级科技奖励并在获奖单位中排名前三"
    )
    award_any: bool | None = Field(None, description="近三年内获得过国家级或省级科技奖励 (不论排名)")
    chuangke: Chuangke | None = Field(
        None, description="近三年进入'创客中国'大赛全国企业组: top50 / top500 / none"
    )
    ip_class1_in_use: bool | None = Field(
        None,
        description="计入的Ⅰ类知识产权均已实际应用并产生经济效益、非转入取得且企业为前三权利人",
    )
    ip_class1_high_value: Count | None = Field(None, description="其中高价值Ⅰ类知识产权数")
    title_tsme: bool | None = Field(None, description="有效期内科技型中小企业 (入库)")
    title_innovative_sme: bool | None = Field(None, description="有效期内科技和创新型/创新型中小企业称号")
    title_srdi: bool | None = Field(None, description="有效期内专精特新中小企业称号")
    title_little_giant: bool | None = Field(None, description="有效期内专精特新'小巨人'称号")
    rereview: bool | None = Field(None, description="本次为复核 (not a new application)")


class Star(_Model):
    """Facts of the 科创属性 evaluation (科创板) that officers record."""

    invention_patents: Count | None = Field(
        None, description="应用于主营业务(并能够产业化)的发明专利数 (含国防专利)"
    )
    software: bool | None = Field(None, description="软件行业企业")
    revenue_exempt: bool | None = Field(
        None, description="按第五套上市标准或红筹企业申报，不适用营业收入指标"
    )
    leading_tech: bool | None = Field(
        None, description="核心技术经国家主管部门认定具有国际领先、引领作用或对国家战略有重大意义"
    )
    national_award: bool | None = Field(
        None, description="作为主要参与单位获国家科技进步奖、自然科学奖、技术发明奖并用于主营业务"
    )
    major_project: bool | None = Field(None, description="独立或牵头承担国家重大科技专项项目")
    import_substitution: bool | None = Field(
        None, description="主要产品属关键设备、产品、零部件、材料并实现进口替代"
    )
    negative_list: bool | None = Field(
        None, description="属金融科技、模式创新 (限制) 或房地产、金融投资类 (禁止) 企业"
    )


class Profile(_Model):
    """A firm as the policy engine sees it (one row of the flat table, see ``keqi.policy.flat``)."""

    uscc: str = Field(description="统一社会信用代码 (GB 32100-2015)")
    name: str = Field("", description="企业名称")
    district_code: str | None = Field(None, description="区县 GB/T 2260 代码或功能区名称")
    legal_person: bool | None = Field(
        None, description="具有独立法人资格 (added field; null = not known, see the cq-tech-2022 settings)"
    )
    cq_tech_registered: bool | None = Field(
        None,
        description="已入库重庆市科技型企业（评价日入库有效；知识价值信用评价只评入库企业）",
    )
    registered_on: dt.date = Field(description="注册成立日期")
    assess_on: dt.date = Field(default_factory=dt.date.today, description="评价日 (default today)")
    hitech_field: str | None = Field(None, description="国家重点支持的高新技术领域 (8 个一级领域之一)")
    industry_code: str | None = Field(None, description="国民经济行业分类代码 (GB/T 4754-2017)")
    staff_total: Count | None = Field(None, description="职工总数")
    tech_staff: Count | None = Field(None, description="科技人员数")
    senior_tech_staff: Count | None = Field(None, description="副高级及以上职称科技人员数")
    rd_staff: Count | None = Field(None, description="研发人员数 (上年度)")
    financials: list[Financials] = Field(default_factory=list, description="一年一条, 最多使用最近三年")
    ip: IP = Field(default_factory=IP)
    conversions_3y: Count | None = Field(None, description="近三年科技成果转化数 (合计)")
    flags: Flags = Field(default_factory=Flags)
    direct: Direct = Field(default_factory=Direct)
    rd_management: RDManagement = Field(default_factory=RDManagement)
    standards_participation: bool | None = Field(None, description="参与编制国家或行业标准 (加分项)")
    valuation_usd: float | None = Field(None, ge=0, description="最新估值, 美元")
    financing_usd: float | None = Field(None, ge=0, description="累计融资额, 美元")
    expert: Expert = Field(default_factory=Expert)
    sme: SME = Field(default_factory=SME)
    star: Star = Field(default_factory=Star)

    @field_validator("uscc")
    @classmethod
    def _valid_uscc(cls, value: str) -> str:
        code = normalise(value)
        faults = uscc_faults(code)
        if faults:
            raise ValueError("；".join(f.message for f in faults))
        return code

    @field_validator("hitech_field")
    @classmethod
    def _known_field(cls, value: str | None) -> str | None:
        if value is not None and value not in HITECH_FIELDS:
            raise ValueError(f"高新技术领域应为以下之一：{'、'.join(HITECH_FIELDS)}")
        return value

    @field_validator("financials")
    @classmethod
    def _distinct_years(cls, value: list[Financials]) -> list[Financials]:
        years = [f.year for f in value]
        if len(years) != len(set(years)):
            raise ValueError("financials 中同一年度出现多次")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        if self.staff_total is not None:
            if self.tech_staff is not None and self.tech_staff > self.staff_total:
                raise ValueError("tech_staff 不能大于 staff_total")
            if self.rd_staff is not None and self.rd_staff > self.staff_total:
                raise ValueError("rd_staff 不能大于 staff_total")
        if self.tech_staff is not None and self.senior_tech_staff is not None:
            if self.senior_tech_staff > self.tech_staff:
                raise ValueError("senior_tech_staff 不能大于 tech_staff")
        if self.registered_on > self.assess_on:
            raise ValueError("registered_on 晚于 assess_on")
        return self
