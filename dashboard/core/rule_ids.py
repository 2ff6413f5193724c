"""Rule ids of the readers' own findings on a form (the audit keeps them when it re-runs).

Their Chinese titles are `texts.READER_RULE_TITLES`, keyed by the same ids.
"""

from dashboard.core import domain

PARSE_UNCERTAIN = "parse_uncertain"  # a part of the form the reader could not place with confidence
PAGE_UNREADABLE = domain.PAGE_UNREADABLE_RULE  # a PDF page the form is on (or is cut by) could not be decoded
VALUE_UNREADABLE = "value_unreadable"  # text where a number is expected
VALUE_OUT_OF_RANGE = "value_out_of_range"  # a number no form field can hold

READER_RULES = frozenset({PARSE_UNCERTAIN, PAGE_UNREADABLE, VALUE_UNREADABLE, VALUE_OUT_OF_RANGE})
