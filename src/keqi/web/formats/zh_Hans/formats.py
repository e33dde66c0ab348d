"""Simplified Chinese number formats: thousands separated by commas, in groups of three.

Django's zh_Hans locale has no thousands separator, so ``{{ n|intcomma }}`` wrote 26000 and 7634 on
the Chinese pages; the bureau's documents write 6,348 and 42,989 (as ``keqi.policy.formats`` does).
Everything else (dates, input formats) stays Django's zh_Hans.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
