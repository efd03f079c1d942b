"""One blueprint per page group."""
