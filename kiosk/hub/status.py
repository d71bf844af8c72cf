"""The hub's state in words, one line, for Home, the health screen and ``kiosk hub status``."""

from __future__ import annotations

from datetime import datetime

from kiosk.hub.sync import HubStatus
from kiosk.i18n import _, ngettext


def hub_line(status: HubStatus, now: datetime) -> str:
    """Connected / working offline since … / refused, with the changes still waiting. Never
    an alarm: while the hub is away the kiosk saves as always, and says that it does."""
    waiting = ngettext("{n} change waiting to be sent", "{n} changes waiting to be sent",
                       status.waiting).format(n=status.waiting) if status.waiting else ""
    if status.state == "refused":
        if status.series_holder:
            return _("Plant hub: not syncing — kiosk {holder} numbers in this kiosk's id series {series}; "
                     "ask the person in charge (storage.id_series).").format(holder=status.series_holder,
                                                                            series=status.series)
        return _("Plant hub: not syncing — {problem}; ask the person in charge.").format(problem=status.problem)
    if status.state == "offline":
        since = datetime.fromtimestamp(status.since, now.tzinfo) if status.since else now
        when = since.strftime("%H:%M") if since.date() == now.date() else since.strftime("%d/%m %H:%M")
        text = _("Plant hub: working offline since {when}; everything is saved here").format(when=when)
        return f"{text} · {waiting}" if waiting else text
    if status.progress is not None:
        done, total = status.progress
        return _("Plant hub: joining the plant, {done} of {total} changes received").format(done=done, total=total)
    if status.state == "connecting":
        return _("Plant hub: connecting…") + (f" · {waiting}" if waiting else "")
    text = _("Plant hub: connected")
    return f"{text} · {waiting}" if waiting else text
