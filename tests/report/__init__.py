"""Tests of the report renderers (PDF, DOCX) on documents built directly."""
