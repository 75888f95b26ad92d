"""Parsing single files and fragments: pure functions, no index."""

import datetime as dt

import pytest

from search.archive import split_topic_prefix
from search.parse import ParseError, event_link, parse_day_index, parse_event_page
from search.text import domain_of, plain_text, split_list, variant_alternatives


@pytest.mark.parametrize(
    ("markdown", "expected"),
    (
        ("talks of &#034;international coalition&#034;", 'talks of "international coalition"'),
        ("Friday&#x27;s missile attack", "Friday's missile attack"),
        ("called it &quot;disgusting&quot; and&hellip;", 'called it "disgusting" and…'),
        ("double &amp;quot;encoded&amp;quot;", 'double "encoded"'),
        ("the USS ''Fitzgerald'' collides", "the USS Fitzgerald collides"),
        ("see [the report](http://x.example/a)  now", "see the report now"),
        ("B&G Foods", "B&G Foods"),
        # MediaWiki language-conversion markup: the Simplified variant, else the first one given.
        ("-{zh-hans:苹果派;zh-tw:蘋果派;}-节", "苹果派节"),
        ("-{zh-tw:甲; zh-hk:乙;}-", "甲"),
        ("-{丙}-与-{}-丁", "丙与丁"),  # text protected from conversion; an empty one
        ("决赛:杯;zh-hk:盃;zh-tw:盃;}-冠军", "决赛:杯冠军"),  # markup whose opening was lost
    ),
)
def test_plain_text_decodes_entities_and_strips_markup(markdown, expected):
    assert plain_text(markdown) == expected


@pytest.mark.parametrize(
    ("headline", "expected"),
    (
        (
            "2011 Libyan civil war:European Union leaders gather.",
            ("2011 Libyan civil war", "European Union leaders gather."),
        ),
        (
            "2008 Thai political crisis:: The alliance claims control.",
            ("2008 Thai political crisis", "The alliance claims control."),
        ),
        ("Update: the talks resume at 10:30.", ("", "Update: the talks resume at 10:30.")),
        ("Police say: Nothing was found.", ("", "Police say: Nothing was found.")),
    ),
)
def test_split_topic_prefix_only_splits_glued_topics(headline, expected):
    assert split_topic_prefix(headline) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    (
        ("/news/2016/12/29/a-slug.md", (dt.date(2016, 12, 29), "a-slug")),
        ("/zh/news/2010/04/9/中文-slug.md", (dt.date(2010, 4, 9), "中文-slug")),
        ("/news/2015/09/4/index.md", None),
        ("/news/2015/02/30/bad-date.md", None),
        ("http://www.bbc.co.uk/news/world", None),
    ),
)
def test_event_link_reads_date_and_slug(url, expected):
    assert event_link(url) == expected


@pytest.mark.parametrize(
    ("url", "domain"),
    (
        ("http://www.telegraph.co.uk/news/x.html", "telegraph.co.uk"),
        ("https://edition.cnn.com/2013/12/08/", "edition.cnn.com"),
        ("not a url", ""),
    ),
)
def test_domain_of_drops_www(url, domain):
    assert domain_of(url) == domain


PAGE = """### [2015-09-4](/news/2015/09/4/index.md)

# A headline about &quot;things&quot;. 

First paragraph.

Second paragraph.


### Source:

1. [Outlet](https://www.outlet.example/a) [IMG](https://img.example/b.jpg)
2. [Cover Image](https://img.example/c.jpg)

### Related:

1. [Other event ](/news/2014/01/2/other-event.md) _Context: Alpha, Beta_
"""


def test_event_page_has_date_headline_and_summary():
    page = parse_event_page(PAGE)
    assert (page.date, page.headline) == (dt.date(2015, 9, 4), "A headline about &quot;things&quot;.")
    assert page.summary == "First paragraph.\n\nSecond paragraph."


def test_event_page_sources_leave_out_images():
    assert [(s.text, s.url) for s in parse_event_page(PAGE).sources] == [
        ("Outlet", "https://www.outlet.example/a")
    ]


def test_event_page_related_keeps_context():
    [related] = parse_event_page(PAGE).related
    assert related.url == "/news/2014/01/2/other-event.md" and "Alpha, Beta" in related.rest


@pytest.mark.parametrize(
    ("text", "reason"),
    (
        ("# Headline only\n", "no date line"),
        ("### [2015-09-4](/news/2015/09/4/index.md)\n\nNo headline here.\n", "no headline"),
        ("### [2015-02-30](/news/2015/02/30/index.md)\n\n# Impossible\n", "impossible date"),
        ("### [2015-09-4](/news/2015/09/4/index.md)\n\x00\x01# binary\n", "binary"),
    ),
)
def test_unreadable_event_page_says_why(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_event_page(text)


def test_day_index_entries_carry_topic_and_summary_or_context():
    text = """Formats: [HTML](x.html)

## [2015-09-4](/news/2015/09/4/index.md)

##### Topic One
### [First event ](/news/2015/09/4/first-event.md)
A summary line.

##### Topic Two
### [Second event ](/news/2015/09/4/second-event.md)
_Context: A, B_

## [Previous Day...](/news/2015/09/3/index.md)
"""
    entries = parse_day_index(text)
    assert [(e.slug, e.topic, e.summary, e.context) for e in entries] == [
        ("first-event", "Topic One", "A summary line.", []),
        ("second-event", "Topic Two", "", ["A", "B"]),
    ]


def test_chinese_context_label_is_read():
    text = "## [2010-04-10](/zh/news/2010/04/10/index.md)\n\n### [事件 ](/zh/news/2010/04/10/事件.md)\n_消息: 俄羅斯, 波兰_\n"
    assert parse_day_index(text)[0].context == ["俄羅斯", "波兰"]


def test_context_line_resolves_variants_before_splitting_tags():
    assert split_list("-{zh-cn:足球俱乐部; zh-tw:足球俱樂部;}-, 足球") == ["足球俱乐部", "足球"]


@pytest.mark.parametrize(
    ("text", "alternatives"),
    [
        (
            "-{zh-hans:甲国;zh-tw:乙國;zh-hk:甲國;}-",
            ["乙國"],
        ),  # 甲國 is 甲国 in Traditional script: no alternative
        ("-{zh-cn:丙;zh-tw:丁;}-与-{zh-cn:丙;zh-hk:丁;}-", ["丁"]),
        ("-{戊}-, no markup, -{}-", []),
    ],
)
def test_variant_alternatives_are_the_other_names(text, alternatives):
    assert variant_alternatives(text) == alternatives
