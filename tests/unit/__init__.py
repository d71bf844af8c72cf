"""Unit tests: the core, storage, printing and views on their own, with real files but no App."""
