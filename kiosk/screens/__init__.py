"""Screens: one module per screen; dialogs apart. Screens are thin: the work is elsewhere."""


def leave(screen, result=None) -> None:
    """Close ``screen`` (with ``result`` for whoever opened it), if it is still the one shown:
    a late save or a second fast key must never close the screen under it (and never Home)."""
    if screen.is_attached and screen.app.screen is screen:
        screen.dismiss(result)
