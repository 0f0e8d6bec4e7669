"""The MIME types of what a report cell carries besides what the reader sees.

A displayed :class:`~fou.reports.display.Table` carries a machine-readable
copy (:data:`TABLE_MIME`), which the export turns into the report's Excel
workbook; the report header carries its facts (:data:`REPORT_MIME`), which
the batch runner checks against the job. They live here, apart from
:mod:`fou.reports.display`, so that the export reads them without importing
the plotting stack.
"""

#: MIME type of the machine-readable copy of a displayed table (read by the export).
TABLE_MIME = "application/vnd.fou.table+json"
#: MIME type of the report header's facts (year, municipality, provenance).
REPORT_MIME = "application/vnd.fou.report+json"
