"""Reading what inspectors bring in: data extracts (CSV, XLSX) and document text. No Qt, no DB."""
