"""learning-kiosk: a blameless learning kiosk for the shop floor."""

__version__ = "0.1.0"
