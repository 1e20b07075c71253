"""The Concerns page: key concerns, notable positive practice and their rules."""
