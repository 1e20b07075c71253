"""The Reports page: text parts, terms, checks and the export of the deliverables."""
