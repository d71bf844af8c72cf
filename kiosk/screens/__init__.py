"""Screens: one module per screen; dialogs apart. Screens are thin: the work is elsewhere."""
