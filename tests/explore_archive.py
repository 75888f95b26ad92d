"""A hand-written archive for tag pages, on this day, the front page, comparisons and significance.

Invented events (nothing copied from a real archive), written as the archive
writes them: a day index per day and a page per event. What the tests rely on:

- "Harbour strike" (8 events, 2020-09-04 to 2021-06-05) is told with "Dock workers union" in 5 of its
  events (6 in the archive) and with "Port City", which is in 21 events of the archive (6 of the strike's, a smaller share than elsewhere);
- "Flood relief" rises at the archive's newest end: 4 events in June 2021, 1 in the year before;
- 4 September has events in 2018, 2019 and 2020; 29 February in 2016 and 2020;
- two events are in Chinese; outlets and topics vary, so facets have several values.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple


class Item(NamedTuple):
    day: str  # YYYY-MM-DD
    headline: str
    topic: str
    tags: tuple[str, ...]
    outlet: str = "BBC|https://www.bbc.co.uk/news/"
    language: str = "en"


STRIKE, UNION, PORT, FLOOD, MAYOR = (
    "Harbour strike",
    "Dock workers union",
    "Port City",
    "Flood relief",
    "Mayor Lena Ortiz",
)
REUTERS = "Reuters|https://www.reuters.com/article/"
GAZETTE = "Port Gazette|https://gazette.example/news/"

ITEMS = (
    Item("2016-02-29", "Port City celebrates its leap day fair", "Culture", (PORT,)),
    Item("2016-07-12", "Lighthouse museum opens on the northern pier", "Culture", (PORT, "Museums"), GAZETTE),
    Item("2017-03-03", "Ferry fares rise across the bay", "Transport", (PORT, "Ferries"), REUTERS),
    Item("2018-09-04", "Tram line to the old town opens", "Transport", (PORT, "Trams")),
    Item("2019-05-20", "Dock workers union elects a new leader", "Labour", (UNION, PORT), REUTERS),
    Item("2019-09-04", "Heat wave closes the beaches", "Weather", ("Heat wave", PORT)),
    Item("2020-02-29", "A leap day storm floods the harbour road", "Weather", ("Storms", PORT), GAZETTE),
    Item("2020-08-15", "Volunteers fill sandbags before the river rises", "Weather", (FLOOD, "River Vale")),
    Item("2020-09-04", "Dock workers walk out at the harbour", "Labour", (STRIKE, UNION, PORT)),
    Item("2020-09-10", "Harbour strike enters its second week", "Labour", (STRIKE, UNION, PORT), REUTERS),
    Item("2020-10-02", "Talks to end the harbour strike fail", "Labour", (STRIKE, UNION, MAYOR), GAZETTE),
    Item("2020-11-15", "Ships wait outside the closed harbour", "Labour", (STRIKE, PORT)),
    Item("2021-01-20", "Mayor proposes a deal to end the strike", "Labour", (STRIKE, MAYOR, PORT), REUTERS),
    Item("2021-02-03", "Dock workers vote on the mayor's deal", "Labour", (STRIKE, UNION, MAYOR)),
    Item("2021-03-01", "Harbour reopens as the strike ends", "Labour", (STRIKE, UNION, PORT), GAZETTE),
    Item("2021-03-15", "Mayor opens the new fish market", "Culture", (MAYOR, PORT)),
    Item("2021-04-22", "Spring festival fills the old town", "Culture", (PORT, "Festivals")),
    Item("2021-05-30", "Council approves the harbour budget", "Politics", (MAYOR, PORT), REUTERS),
    Item("2021-06-02", "Heavy rain swells the river", "Weather", (FLOOD, "River Vale", PORT)),
    Item("2021-06-05", "Strike leaders meet the mayor a last time", "Labour", (STRIKE, MAYOR, PORT), GAZETTE),
    Item("2021-06-09", "Relief camps open for flooded villages", "Weather", (FLOOD, "River Vale", PORT)),
    Item("2021-06-18", "Army brings boats to the flooded valley", "Weather", (FLOOD, "River Vale"), REUTERS),
    Item("2021-06-25", "Flood relief fund reaches its goal", "Weather", (FLOOD, PORT), GAZETTE),
    Item(
        "2021-06-28",
        "港口城市举办夏季音乐节。",
        "Culture",
        (PORT, "Festivals"),
        "港口日报|https://daily.example/zh/",
        "zh",
    ),
    Item(
        "2021-06-30",
        "港口城市的渡轮恢复运行。",
        "Transport",
        (PORT, "Ferries"),
        "港口日报|https://daily.example/zh/",
        "zh",
    ),
)


def slug(headline: str) -> str:
    """The archive's file name rule; a Chinese headline gets a name from its digest."""
    return (
        re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")
        or hashlib.sha1(headline.encode()).hexdigest()[:12]
    )


def event_id(item: Item) -> str:
    return f"{item.day}/{slug(item.headline)}"


def write_explore_archive(root: Path) -> Path:
    """Write the archive under ``root/news`` and return ``root``."""
    by_day: dict[str, list[Item]] = defaultdict(list)
    for item in ITEMS:
        by_day[item.day].append(item)
    for day, items in by_day.items():
        year, month, number = day.split("-")
        directory = root / "news" / year / month / str(int(number))
        directory.mkdir(parents=True)
        entries = []
        for item in items:
            prefix = "/zh" if item.language == "zh" else ""
            link = f"/news/{year}/{month}/{int(number)}/{slug(item.headline)}.md"
            entries.append(
                f"##### {item.topic}\n### [{item.headline} ]({link})\n_Context: {', '.join(item.tags)}_\n"
            )
            name, url = item.outlet.split("|")
            sources = "### 信息来源:" if item.language == "zh" else "### Source:"
            (directory / f"{slug(item.headline)}.md").write_text(
                f"### [{year}-{month}-{int(number)}]({prefix}/news/{year}/{month}/{int(number)}/index.md)\n\n"
                f"# {item.headline}\n\nInvented for the explore tests.\n\n{sources}\n\n1. [{name}]({url}{slug(item.headline)})\n",
                encoding="utf-8",
            )
        (directory / "index.md").write_text(
            f"## [{day}](/news/{year}/{month}/{int(number)}/index.md)\n\n" + "\n".join(entries),
            encoding="utf-8",
        )
    return root
