"""Settings every front end shares: where the index lives unless told otherwise."""

DEFAULT_INDEX_DIR = "index"
ENV_INDEX_DIR = "EVENTSEARCH_INDEX_DIR"  # the environment variable that overrides the default
