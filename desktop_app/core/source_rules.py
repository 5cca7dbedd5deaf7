"""What a valid analysis source looks like: ISO country codes, Ad Library ids, web addresses and search terms.

One set of rules for every face: the CLI refuses bad input with these words, the window marks bad lines of a
URL list with them, and the job service checks every new job against them."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

MAX_TERMS_CHARS = 100  # Meta's practical limit for Ad Library search terms
# ISO 3166-1 alpha-2: the 249 officially assigned codes.
_ISO_3166_ALPHA_2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO
    FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE
    JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO
    MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM
    TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_ISO_3166_ALPHA_2.split())


def is_ad_id(value: str) -> bool:
    """ASCII digits only: str.isdigit() also takes other scripts' digits ("\u0661\u0662\u0663"), which no id has."""
    return value.isascii() and value.isdigit()


def country_problem(code: str) -> str | None:
    """Why `code` is not an ISO 3166-1 alpha-2 country code, or None when it is one."""
    if code in COUNTRY_CODES:
        return None
    if len(code) != 2 or not code.isalpha():
        return "countries are two-letter country codes (ISO 3166) such as DE or FR"
    hint = " (the United Kingdom is GB)" if code == "UK" else ""
    return f"no country has the code {code}{hint}; use ISO 3166 codes such as DE or FR"


def url_problem(value: str) -> str | None:
    """Why `value` is neither an http(s) web address nor an Ad Library id, or None when it is one."""
    if is_ad_id(value):
        return None
    if value.isdigit():
        return "is not an Ad Library id: ids are written with the digits 0-9"
    if not value.startswith(("http://", "https://")):
        return "is not an http(s) URL or an Ad Library id"
    try:
        host = urlsplit(value).hostname
    except ValueError:
        host = None
    return None if host else "is not a web address"


def url_list_problems(lines: Iterable[str]) -> list[tuple[int, str]]:
    """(line number, problem) for each bad line of a pasted URL list; blank lines and # comments are fine."""
    problems = []
    for number, line in enumerate(lines, start=1):
        entry = line.strip()
        if entry and not entry.startswith("#"):
            problem = url_problem(entry)
            if problem:
                problems.append((number, f"Line {number} {problem}: {entry[:80]}"))
    return problems
