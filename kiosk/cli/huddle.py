"""``kiosk huddle AREA [--print | --json]``: the huddle of an area as text, or on the printer, for a crew
without the kiosk's screen at hand. It only reads: no huddle is started or counted (a huddle is
counted when a crew lead opens it on the kiosk)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.cli.common import Args, open_reader, system_clock, utf8_stdout
from kiosk.config import Config
from kiosk.core.text import fold
from kiosk.i18n import _


def configured_area(config: Config, typed: str) -> str | None:
    """The configured area ``typed`` names, whatever its case and accents ("envasado")."""
    wanted = fold(typed.strip())
    return next((area for area in config.areas if fold(area) == wanted), None)


def cmd_huddle(args: Args, config: Config, folder: Path) -> int:
    area = configured_area(config, args.area)
    if area is None:
        print(_("There is no area {area}. The areas are: {areas}.").format(
            area=args.area, areas=", ".join(config.areas)), file=sys.stderr)
        return 2
    if args.print:
        from kiosk.cli.printing import open_for_printing, print_now

        opened = open_for_printing(config, folder, "huddle")
        if opened is None:
            return 1
        repo, store_jobs = opened
        try:
            return print_now(repo, config, folder, "huddle", (area,), store_jobs=store_jobs)
        finally:
            if repo is not None:
                repo.close()
    from kiosk.views.huddle import gather, huddle_json, huddle_text

    reader = open_reader(config, folder)
    if reader is None:
        return 1
    try:
        view = gather(reader, area, system_clock(), started=False)
    finally:
        reader.close()
    utf8_stdout()
    sys.stdout.write(json.dumps(huddle_json(view), ensure_ascii=False) + "\n" if args.json else huddle_text(view))
    return 0
