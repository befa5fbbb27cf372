"""The validity report's pairs as CSV: one row per hire and value, names only for HR."""

from __future__ import annotations

import csv
import io

from app.reports.exports import safe_cell
from app.reports.validity import Validity

HEADER = ["Hire id", "Value", "Interview score", "90-day rating", "Check-in day", "Rubric", "Site", "Role family",
          "Hire date"]


def validity_csv(report: Validity, *, names: bool) -> str:
    """Every pair the report's figures are worked from; with names, the hire's name after their id."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER[:1] + ["Name"] + HEADER[1:] if names else HEADER)
    for pair in report.pairs:
        hire = pair.hire
        cells = [hire.employee_id, pair.value, f"{pair.interview:.2f}", pair.rating, hire.day, hire.rubric,
                 hire.site or "", hire.role_family.label if hire.role_family else "",
                 hire.start_date.isoformat() if hire.start_date else ""]
        if names:
            cells.insert(1, hire.name)
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()
