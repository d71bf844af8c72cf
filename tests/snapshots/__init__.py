"""Snapshots of every screen at 80x24 and at a kiosk's 160x48 (and on the Linux console)."""
