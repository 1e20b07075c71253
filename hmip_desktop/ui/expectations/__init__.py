"""The Expectations page: the framework tree, coverage and the evidence behind each expectation."""
