"""eventsearch: index and search a news-events archive of Markdown pages.

The path of data: content files -> ``parse`` -> ``archive`` (Event) ->
``writer`` (Whoosh index in ``store`` generations) -> ``searching``
(SearchRequest in, ResultPage out) -> HTML (webui), JSON, CLI.
"""
