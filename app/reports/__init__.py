"""Reports for managers: per-buurt figures, exports (Python and COPY writers), dashboard, printable report."""
