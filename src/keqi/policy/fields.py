"""The eight top-level 国家重点支持的高新技术领域 (2016), named in 国科发火〔2016〕32号 附件.

Source: ../shared/reference/criteria.md §2.1 (SECONDARY: the 百科 list; the A107041 tax form uses
一级/二级领域). Used by the profile's validation, the exchange format and the synthetic population.
"""

HITECH_FIELDS = (
    "电子信息",
    "生物与新医药",
    "航空航天",
    "新材料",
    "高技术服务",
    "新能源与节能",
    "资源与环境",
    "先进制造与自动化",
)
