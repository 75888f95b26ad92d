"""The README is kept true by tests (after sqlite-utils' test_docs.py): commands, options, parameters, query syntax, modules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import click
import pytest
from flask.testing import FlaskClient

from search.cli import main
from search.request import request_params
from search.store import Store
from search.writer import build
from webui import create_app
from webui.index import close_index

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS_ARCHIVE = Path(__file__).parent / "fixtures" / "docs_archive"
_CODE = re.compile(r"`([^`]+)`")
_OPTION = re.compile(r"^-{1,2}[a-z][a-z-]*")


def table(first_header: str) -> list[list[str]]:
    """The rows (cells) of the README table whose first column is headed ``first_header``."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            return rows
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def code_in(text: str) -> list[str]:
    return _CODE.findall(text)


def options_in(text: str) -> set[str]:
    """The option names written in code spans (`--workers N` gives --workers)."""
    return {match.group() for code in code_in(text) if (match := _OPTION.match(code))}


# -- commands and their options ---------------------------------------------

COMMAND_ROWS = {row[0]: row[1] for row in table("command")}
SEARCH_PARAMETER_ROWS = table("Parameter")


def leaf_commands(group: click.Group = main, prefix: str = "") -> dict[str, click.Command]:
    """Every command that runs, by its words after `eventsearch` ("search", "saved add")."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= leaf_commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


COMMANDS = leaf_commands()


def names(row_name: str, command: str) -> bool:
    """Whether a row of the commands table is about this command (`eventsearch saved add NAME` is `saved add`)."""
    return re.match(rf"`eventsearch {re.escape(command)}[ `]", row_name) is not None


def documented_options(command: str) -> set[str]:
    """The options the README gives a command: its own row, the row of every command, the parameter table."""
    row = next(text for name, text in COMMAND_ROWS.items() if names(name, command))
    found = options_in(row) | options_in(COMMAND_ROWS["every command"])
    if command == "search":
        found |= {option for _, cli, _ in SEARCH_PARAMETER_ROWS for option in options_in(cli)}
    return found


def command_options(command: click.Command) -> set[str]:
    """Every option spelling of a command, asked of click itself (generated options included)."""
    parent = click.Context(main, info_name="eventsearch", **main.context_settings)  # -h as well as --help
    context = parent if command is main else click.Context(command, parent=parent, info_name=command.name)
    params = command.get_params(context)
    return {
        opt
        for param in params
        if isinstance(param, click.Option)
        for opt in param.opts + param.secondary_opts
    }


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_is_in_the_commands_table(command):
    assert any(names(name, command) for name in COMMAND_ROWS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_of_a_command_is_in_the_readme_tables(command):
    assert command_options(COMMANDS[command]) <= documented_options(command)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_the_readme_gives_a_command_exists(command):
    assert documented_options(command) <= command_options(COMMANDS[command]) | command_options(main)


def test_the_main_command_options_are_in_the_table():
    assert command_options(main) <= options_in(COMMAND_ROWS["every command"])


# -- API parameters --------------------------------------------------------


def documented_parameters() -> set[str]:
    return {name for row in SEARCH_PARAMETER_ROWS for name in code_in(row[0])}


# A value of each parameter that changes the page of the docs archive (from the page with `base` alone).
CHANGES = {
    "q": ({}, "putin"),
    "tags": ({}, "Syria"),
    "tag": ({}, "Syria"),
    "tags_mode": ({"tags": ["Russia", "Syria"]}, "any"),
    "topic": ({}, "Arab Spring"),
    "source": ({}, "bbc.co.uk"),
    "language": ({}, "zh"),
    "lang": ({}, "zh"),
    "from": ({}, "2019-01-01"),
    "to": ({}, "2014-12-31"),
    "calendar_day": ({}, "09-10"),
    "sort": ({}, "oldest"),
    "page": ({"size": ["1"]}, "2"),
    "size": ({}, "1"),
    "facet_size": ({}, "1"),
    "tag_filter": ({}, "syr"),
    "exact": ({"q": ["putni"]}, "1"),
    "explain": ({"q": ["putin"]}, "1"),
    "significant_size": ({"q": ["russia OR ukraine"]}, "0"),
}


@pytest.fixture(scope="module")
def docs_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the README's example archive."""
    index_dir = tmp_path_factory.mktemp("docs-index")
    build(DOCS_ARCHIVE, Store(index_dir), workers=1)
    return index_dir


@pytest.fixture(scope="module")
def client(docs_index: Path) -> Iterator[FlaskClient]:
    app = create_app({"TESTING": True, "INDEX_DIR": str(docs_index)})
    yield app.test_client()
    close_index(app)


def test_the_readme_lists_exactly_the_parameters_the_api_reads():
    accepted = {name for param in request_params() for name in (param.name, *param.aliases)}
    assert documented_parameters() == accepted == set(CHANGES)


@pytest.mark.parametrize("name", sorted(documented_parameters()))
def test_every_documented_parameter_is_accepted_by_the_api(client, name):
    base, value = CHANGES[name]
    without = client.get("/api/search?" + urlencode(base, doseq=True)).get_json()
    with_it = client.get("/api/search?" + urlencode({**base, name: [value]}, doseq=True)).get_json()
    assert with_it["messages"] == [] and with_it != without


# -- query syntax ----------------------------------------------------------

# What each query of the README's query-syntax table finds in the docs archive (ids without the date).
FINDS = {
    "putin syria": {"putin-confirms-military-aid-to-syria"},
    "wars": {"a-museum-of-the-war-opens-in-volgograd", "putin-confirms-military-aid-to-syria"},
    '"military aid"': {"putin-confirms-military-aid-to-syria"},
    "russia OR ukraine": {
        "a-museum-of-the-war-opens-in-volgograd",
        "putin-confirms-military-aid-to-syria",
        "russia-and-ukraine-agree-on-a-ceasefire",
        "ukraine-holds-local-elections",
    },
    "syria NOT isil": {"putin-confirms-military-aid-to-syria"},
    "syria -isil": {"putin-confirms-military-aid-to-syria"},
    "(russia OR ukraine) ceasefire": {"russia-and-ukraine-agree-on-a-ceasefire"},
    'tags:"Syrian Civil War"': {"putin-confirms-military-aid-to-syria"},
    "tags:syria": {"isil-fighters-take-a-town-in-syria", "putin-confirms-military-aid-to-syria"},
    "tag:Syria": {"isil-fighters-take-a-town-in-syria", "putin-confirms-military-aid-to-syria"},
    'topic:"Arab Spring"': {"protesters-fill-tahrir-square"},
    "source:bbc.co.uk": {"a-museum-of-the-war-opens-in-volgograd", "russia-and-ukraine-agree-on-a-ceasefire"},
    "source:Reuters": {"protesters-fill-tahrir-square", "isil-fighters-take-a-town-in-syria"},
    "language:zh": {"president-visits-washington", "moscow-holds-a-parade", "heavy-rain-in-the-south"},
    "lang:zh": {"president-visits-washington", "moscow-holds-a-parade", "heavy-rain-in-the-south"},
    "date:2015": {
        "a-museum-of-the-war-opens-in-volgograd",
        "isil-fighters-take-a-town-in-syria",
        "putin-confirms-military-aid-to-syria",
        "russia-and-ukraine-agree-on-a-ceasefire",
        "ukraine-holds-local-elections",
    },
    "date:2015-09": {
        "putin-confirms-military-aid-to-syria",
        "russia-and-ukraine-agree-on-a-ceasefire",
        "ukraine-holds-local-elections",
    },
    "date:[2015-01-01 TO 2015-06-30]": {
        "a-museum-of-the-war-opens-in-volgograd",
        "isil-fighters-take-a-town-in-syria",
    },
    "date:[2019 TO]": {"president-visits-washington", "moscow-holds-a-parade", "heavy-rain-in-the-south"},
    "俄罗斯": {"president-visits-washington", "moscow-holds-a-parade"},
    "美国 总统": {"president-visits-washington"},
    "雨": {"heavy-rain-in-the-south"},
}


def documented_queries() -> list[str]:
    return [query for row in table("query") for query in code_in(row[0])]


def test_every_query_of_the_syntax_table_has_its_case():
    assert sorted(documented_queries()) == sorted(FINDS)


@pytest.mark.parametrize("query", documented_queries())
def test_every_query_of_the_syntax_table_finds_what_it_promises(client, query):
    page = client.get("/api/search?" + urlencode({"q": query, "size": 100})).get_json()
    assert page["messages"] == []
    assert {hit["id"].split("/", 1)[1] for hit in page["hits"]} == FINDS[query]


# -- the architecture ------------------------------------------------------


def architecture() -> str:
    """The code block of "How it works" that lists the modules along the path of data."""
    section = README[README.index("## How it works") :]
    start = section.index("```") + 3
    return section[start : section.index("```", start)]


MODULES = sorted(
    path.relative_to(ROOT).as_posix()
    for package in ("search", "webui")
    for path in (ROOT / package).glob("*.py")
    if path.name != "__main__.py"
)


@pytest.mark.parametrize("module", MODULES)
def test_every_module_is_in_the_architecture(module):
    package, name = module.split("/")
    block = architecture()
    where = block[block.index("webui/") :] if package == "webui" else block
    assert name in where
