"""Request body parsing that costs bounded work: deep nesting is refused before any parser recurses.

`json.loads`, which DRF's JSONParser calls, recurses once per level of nesting: a body nested a
thousand levels deep raises RecursionError inside the parser, a 500, before any view or
serializer can look at it. And it builds every array and object, each one tracked by the garbage
collector, whose passes then cost more the more there are: 2 MB of empty arrays take about a
second to parse. `json_refusal` measures both in linear time without recursing (brackets inside
strings, escaped quotes included, do not count), and `BoundedJSONParser`, the API's JSON parser
(REST_FRAMEWORK in config/settings/base.py), refuses such a body with a 400 and a sentence
saying why. (Its size is capped before: DRF reads a JSON body through `request.body`, which
refuses one over DATA_UPLOAD_MAX_MEMORY_SIZE with a 400.)
"""

import io
import re
from array import array
from itertools import accumulate

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A signed credential nests about ten levels; the verifier (badges/verification.py) uses this too.
MAX_NESTING = 64
# A signed credential has a few dozen arrays and objects; an API request, a handful.
MAX_CONTAINERS = 10_000

# A JSON string, or an unterminated one running to the end of the text. The possessive
# quantifiers make every match attempt at a '"' succeed without backtracking, so the text is
# read once, left to right, as a JSON lexer reads it.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
# Each bracket as a signed byte: +1 for an opening one, -1 (0xff) for a closing one.
_STEPS = str.maketrans({"[": "\x01", "{": "\x01", "]": "\xff", "}": "\xff"})


_BLOCK = 1 << 16  # brackets per step, so that a deep text is refused from its first block


def _nesting_exceeds(brackets: str, opened: int, limit: int) -> bool:
    if opened <= limit:
        return False  # the common case: too few brackets to nest that deep
    steps = brackets.translate(_STEPS).encode("latin-1")
    depth = 0
    for start in range(0, len(steps), _BLOCK):
        block = array("b", steps[start : start + _BLOCK])
        if max(accumulate(block, initial=depth)) > limit:
            return True
        depth += sum(block)
    return False


def json_refusal(
    text: str, *, max_nesting: int = MAX_NESTING, max_containers: int = MAX_CONTAINERS
) -> str | None:
    """Why parsing ``text`` as JSON would cost more than it may, or None. Linear in its length.

    The depth is the largest count of brackets opened and not yet closed, outside strings: what a
    recursive JSON parser would reach on the text, valid JSON or not (it stops at the first
    error, so the count never falls short of its depth). The containers are the brackets opened.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    opened = brackets.count("[") + brackets.count("{")
    if _nesting_exceeds(brackets, opened, max_nesting):
        return f"is nested more than {max_nesting} levels deep"
    if opened > max_containers:
        return f"has more than {max_containers:,} arrays and objects"
    return None


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser, once the body is known to nest at most MAX_NESTING levels deep and to
    hold at most MAX_CONTAINERS arrays and objects; any other is a 400 (ParseError) with a
    sentence."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        body = stream.read()
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = body.decode(encoding)
        except (LookupError, ValueError) as error:
            raise ParseError(f"JSON parse error - {error}") from error
        refusal = json_refusal(text)
        if refusal:
            raise ParseError(f"JSON parse error - the body {refusal}.")
        return super().parse(io.BytesIO(body), media_type, parser_context)
