"""The project's search evaluation set and its runner (``make eval-search``)."""
