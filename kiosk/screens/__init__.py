"""Screens: one module per screen, thin (the work is in the core, storage and printing); dialogs
in ``dialogs/``. Every screen is a :class:`~kiosk.screens.base.KioskScreen` (``base``: the typed
way to the kiosk's services and the hooks the App calls).

In the order a person meets them: ``home``, ``report`` and ``saved``, ``review_queue`` and
``review``, ``follow_ups``, ``learnings``, ``record`` and ``trends``, ``printing`` (the print
preview), ``admin`` with ``printer_admin`` and ``health``; ``too_small`` covers them all below
80x24.
"""
