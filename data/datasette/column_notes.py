"""Datasette plugin, loaded by `jobatlas serve` from this folder: on a table page, the column
descriptions (metadata "columns", which Datasette 0.65 lists in full above the rows: 28 of them for
jobs) fold away under one line, so the facets and rows are on the first screen; each column
heading shows its description on hover. Without JavaScript the full list stays as it is."""

from __future__ import annotations

from datasette import hookimpl

FOLD_COLUMN_DESCRIPTIONS = """
document.querySelectorAll("dl.column-descriptions").forEach(function (list) {
  var terms = list.querySelectorAll("dt");
  terms.forEach(function (term) {
    var heading = document.querySelector('th[data-column="' + CSS.escape(term.textContent) + '"]');
    if (heading && heading.dataset.columnDescription) {
      heading.title = heading.dataset.columnDescription;
    }
  });
  var details = document.createElement("details");
  details.className = "column-notes";
  var summary = document.createElement("summary");
  summary.textContent = "What the " + terms.length + " columns mean";
  list.replaceWith(details);
  details.append(summary, list);
});
"""


@hookimpl
def extra_body_script(view_name: str) -> str | None:
    return FOLD_COLUMN_DESCRIPTIONS if view_name == "table" else None
