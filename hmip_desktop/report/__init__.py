"""Writers of the inspection's deliverables: draft report (PDF, DOCX), letters, action plans.

Renderers take a `domain.report_doc.ReportDocument` and write one file; they know nothing of
storage or services, so the same document gives the same content in every format.
"""
