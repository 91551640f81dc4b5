"""Use cases: one function each, with explicit transactions."""
