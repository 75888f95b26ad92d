"""The CLI and /api/search read a search alike: the same parameters give the same page and messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from search.cli import main
from search.cli_options import request_options
from search.request import request_params
from search.store import Store
from search.writer import build
from webui import create_app
from webui.index import close_index

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
LONG_QUERY = "zembla " + "x" * 1200

# (URL parameters, the same search on the command line, a message both must give or None)
CASES = [
    ([("q", "zembla")], ["zembla"], None),
    ([("q", LONG_QUERY)], [LONG_QUERY], "cut to its first 1,000 characters"),
    ([("tags", "Zembla")], ["--tags", "Zembla"], None),
    ([("tag", "Zembla"), ("tag", "Charles Kinbote")], ["--tag", "Zembla", "--tag", "Charles Kinbote"], None),
    (
        [("tags", "Ruritania"), ("tags", "Sydney"), ("tags_mode", "any")],
        ["--tags", "Ruritania", "--tags", "Sydney", "--tags-mode", "any"],
        None,
    ),
    (
        [("tags", "Ruritania"), ("tags", "Sydney"), ("tags_mode", "any")],
        ["--tag", "Ruritania", "--tag", "Sydney", "--any-tag"],
        None,
    ),
    ([("tags_mode", "some")], ["--tags-mode", "some"], "Unknown tags_mode"),
    ([("topic", "Zembla politics")], ["--topic", "Zembla politics"], None),
    ([("topic", "Ruritania"), ("topic", "Sydney")], ["--topic", "Ruritania", "--topic", "Sydney"], None),
    ([("source", "zemblaherald.example.org")], ["--source", "zemblaherald.example.org"], None),
    ([("language", "zh")], ["--language", "zh"], None),
    ([("lang", "en")], ["--lang", "en"], None),
    ([("from", "2020-01-05"), ("to", "2020-01-05")], ["--from", "2020-01-05", "--to", "2020-01-05"], None),
    (
        [("from", "2020-01-06"), ("to", "2019-12-31")],
        ["--from", "2020-01-06", "--to", "2019-12-31"],
        "dates were reversed",
    ),
    ([("from", "2020-13-01")], ["--from", "2020-13-01"], "is not a date"),
    ([("to", "yesterday")], ["--to", "yesterday"], "is not a date"),
    ([("q", "zembla"), ("sort", "newest")], ["zembla", "--sort", "newest"], None),
    ([("sort", "oldest")], ["--sort", "oldest"], None),
    ([("sort", "sideways")], ["--sort", "sideways"], "Unknown sort"),
    ([("size", "2"), ("page", "2")], ["--size", "2", "--page", "2"], None),
    ([("page", "abc")], ["--page", "abc"], "is not a number"),
    ([("page", "99999")], ["--page", "99999"], "must be between"),
    ([("size", "3")], ["--limit", "3"], None),
    ([("size", "0")], ["--size", "0"], "must be between"),
    ([("size", "ten")], ["--size", "ten"], "is not a number"),
    ([("facet_size", "1")], ["--facet-size", "1"], None),
    ([("facet_size", "-5")], ["--facet-size", "-5"], "must be between"),
    ([("tag_filter", "zem")], ["--tag-filter", "zem"], None),
    ([("q", "zembal")], ["zembal"], "Showing results for “zembla”"),  # a typo, corrected
    ([("q", "zembal"), ("exact", "1")], ["zembal", "--exact"], None),  # searched as typed
    ([("q", "zembla"), ("explain", "1")], ["zembla", "--explain"], None),
    ([("calendar_day", "1-5")], ["--calendar-day", "1-5"], None),
    ([("calendar_day", "02-30")], ["--calendar-day", "02-30"], "is not a day of the year"),
    ([("q", "zembla"), ("significant_size", "1")], ["zembla", "--significant-size", "1"], None),
    ([("significant_size", "-1")], ["--significant-size", "-1"], "must be between"),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the fixture archive."""
    path = tmp_path_factory.mktemp("cli-api")
    build(FIXTURE, Store(path), workers=1)
    return path


@pytest.fixture(scope="module")
def client(index_dir: Path) -> Iterator[FlaskClient]:
    """A test client of the app over that index."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    yield app.test_client()
    close_index(app)


@pytest.mark.parametrize(("params", "argv", "message"), CASES)
def test_cli_json_is_the_api_page(client, index_dir, params, argv, message):
    api = client.get("/api/search?" + urlencode(params)).get_json()
    result = CliRunner().invoke(main, ["search", *argv, "--json", "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == api
    if message:
        assert any(message in m for m in api["messages"]) and message in result.stderr
    else:
        assert api["messages"] == [] and result.stderr == ""


def test_the_cases_cover_every_parameter_and_spelling():
    url_names = {name for params, _, _ in CASES for name, _ in params}
    assert url_names == {name for param in request_params() for name in (param.name, *param.aliases)}
    cli_words = {word for _, argv, _ in CASES for word in argv if word.startswith("--")}
    assert cli_words == {opt for option in request_options() for opt in option.opts}
