"""Flows: the kiosk App driven keyboard-only under Textual's Pilot, screen by screen."""
