"""The terminal the kiosk draws on: Textual's Linux driver made robust (``driver``) and what the
Linux console can draw (``console``)."""
