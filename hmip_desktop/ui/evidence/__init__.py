"""The Evidence page: notes, documents, data extracts, figures, their links and search."""
