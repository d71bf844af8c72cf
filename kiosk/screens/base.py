"""What every kiosk screen and dialog has: a typed way to the kiosk's services, and the hooks the
App calls on the screens it shows.

``self.app`` is Textual's App (push a screen, notify, exit); ``self.kiosk`` is the same App seen
as the kiosk's services: the records, the config, the clock, the signed-in supervisor, the
printer. :class:`Kiosk` lists exactly what a screen may ask of it, so mypy checks every use,
and ``kiosk.app`` checks that the App provides it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast

from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from kiosk.config import Config
from kiosk.core.supervisors import Supervisor

if TYPE_CHECKING:
    from kiosk.hub.sync import HubStatus
    from kiosk.printing.spool import PrintSpooler
    from kiosk.storage import Repository

ResultType = TypeVar("ResultType")


class Kiosk(Protocol):
    """The kiosk's services, as screens use them (implemented by :class:`kiosk.app.KioskApp`)."""

    config: Config
    #: Where the admin screen saves the settings (None: this kiosk saves none).
    config_file: Path | None
    #: The signed-in supervisor, if any.
    supervisor: Supervisor | None
    #: The demo admin's PIN, shown on Home's banner on a demo kiosk ("" otherwise).
    demo_pin: str
    clock: Callable[[], datetime]
    monotonic: Callable[[], float]

    @property
    def repo(self) -> Repository:
        """The records (off the UI thread this waits for the start-up load)."""

    def printing(self) -> PrintSpooler:
        """The one print spooler of the kiosk."""

    def printer_ready(self) -> bool:
        """Whether :meth:`printing` answers at once (the data is loaded)."""

    def with_supervisor(self, then: Callable[[Supervisor], object], *, admin: bool, title: str) -> None:
        """Run ``then`` for a signed-in supervisor (an admin if ``admin``), signing in first."""

    def open_follow_up(self, record_id: str) -> None:
        """A record's follow-up, for a signed-in supervisor."""

    def look_up_scan(self, text: str) -> None:
        """Open the record of a slip's scanned URL (or say that it is not one)."""

    def settings_saved(self, config: Config) -> None:
        """The admin saved new settings: use them from now on."""

    def hub_status(self) -> HubStatus | None:
        """The plant hub's state now (None: no hub configured)."""


class KioskHooks:
    """The hooks the App calls on the screen it shows, with what they do by default."""

    #: A slip scanned while this screen shows opens its record (see :mod:`kiosk.core.scanning`).
    accepts_scans: ClassVar[bool] = False

    @property
    def kiosk(self) -> Kiosk:
        return cast(Kiosk, cast(Any, self).app)

    def retranslate(self) -> None:
        """F2 switched the language: say everything again (labels re-translate themselves)."""

    def describe_binding(self, binding: Binding) -> str | None:
        """The footer text of a key, when this screen words it its own way (else None)."""
        return None

    def is_saving(self) -> bool:
        """A save is under way: the idle reset waits for it (its outcome must be seen)."""
        return False

    def keep_before_reset(self) -> None:
        """The idle reset is about to close this screen: keep what must not be lost."""

    def tracked_jobs(self) -> frozenset[int]:
        """The print jobs this screen follows (the App posts their changes to it)."""
        return frozenset()


class KioskScreen(KioskHooks, Screen[ResultType]):
    """A full screen of the kiosk."""


class KioskModal(KioskHooks, ModalScreen[ResultType]):
    """A dialog of the kiosk: it returns a value; whoever opened it decides what to do with it."""


def leave(screen: Screen[Any], result: Any = None) -> None:
    """Close ``screen`` (with ``result`` for whoever opened it), if it is still the one shown:
    a late save or a second fast key must never close the screen under it (and never Home)."""
    if screen.is_attached and screen.app.screen is screen:
        screen.dismiss(result)
