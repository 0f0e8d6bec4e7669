"""Reports: the notebooks' context and display, one module per report, export to
HTML/PDF, the index of reports and the slide deck."""
