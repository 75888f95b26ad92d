"""Settings every front end shares: where the index lives unless told otherwise."""

DEFAULT_INDEX_DIR = "index"
ENV_INDEX_DIR = "EVENTSEARCH_INDEX_DIR"  # the environment variable that overrides the default
# Seconds a served request may run before the server stops it: a search answers in milliseconds,
# so this is the backstop for whatever the search's own limits miss.
SERVE_TIMEOUT = 10
