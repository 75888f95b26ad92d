"""The request parameters: read from URL-style arguments, written back, old spellings kept."""

import pytest

from search.request import SearchRequest, params_of, request_from_args


@pytest.mark.parametrize(
    ("old", "new"),
    (
        ({"tag": ["Syria", "Iraq"]}, {"tags": ["Syria", "Iraq"]}),
        ({"lang": ["zh"]}, {"language": ["zh"]}),
        ({"tag": ["Syria"], "tags": ["Iraq"]}, {"tags": ["Iraq", "Syria"]}),
    ),
)
def test_old_parameter_spellings_read_as_the_new_ones(old, new):
    assert request_from_args(old)[0] == request_from_args(new)[0]


def test_canonical_parameters_use_the_facet_names():
    request, _ = request_from_args({"tag": ["Syria"], "lang": ["en"], "tags_mode": ["any"]})
    assert params_of(request) == [("tags", "Syria"), ("tags_mode", "any"), ("language", "en")]


@pytest.mark.parametrize("facet", ("tags", "topic", "source", "language"))
def test_every_facet_holds_several_selected_values(facet):
    request, messages = request_from_args({facet: ["a", " b ", "a", ""]})
    assert request.selected(facet) == ("a", "b") and messages == []


@pytest.mark.parametrize(
    ("request_args", "expected"),
    (
        ({}, SearchRequest()),
        ({"filters": {"topic": ("",), "tags": ()}}, SearchRequest()),
        ({"modes": {"tags": "all"}}, SearchRequest()),
    ),
)
def test_empty_selections_and_default_modes_are_the_default_request(request_args, expected):
    assert SearchRequest(**request_args) == expected
