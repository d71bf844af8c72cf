"""``kiosk serve``: the record page behind the QR codes, on a read-only view of the data folder
that follows the running kiosk. With ``[serve] enabled`` the kiosk runs this command as its
child process (:class:`kiosk.web.PageProcess`). ``kiosk serve --hub`` is the office's: it keeps
its own folder in step with the plant hub and serves every kiosk's records."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from kiosk.cli.common import Args, open_reader, open_writer
from kiosk.config import Config
from kiosk.i18n import _


def cmd_serve(args: Args, config: Config, folder: Path) -> int:
    from kiosk.web import CHILD_ENV, RateLimitFilter, create_app, finder, serve

    # Before anything can flood it: a message repeated by a flood of connections is written once
    # a minute, with a count, so the log keeps its history (D2).
    for handler in logging.getLogger().handlers:
        handler.addFilter(RateLimitFilter())
    hub = None
    if getattr(args, "hub", False) or config.serve.hub:
        # The office: its own copy of the plant's records, kept by the hub's sync, so that any
        # slip's QR opens from any phone on the plant's network.
        if not config.hub.url:
            print(_("No hub is configured: set [hub] url (and kiosk_name) in the configuration, or give --url."),
                  file=sys.stderr)
            return 2
        from kiosk.hub.sync import SyncWorker

        repo = open_writer(config, folder, "kiosk serve --hub")
        if repo is None:
            return 1
        hub = SyncWorker.for_repository(repo, config.hub)
        hub.start()
    else:
        repo = open_reader(config, folder)
    if repo is None:
        return 1
    host = args.host or config.serve.host
    port = args.port if args.port is not None else config.serve.port
    print(_("Serving the record page on http://{host}:{port}/r/ID?k=TOKEN (ctrl+c stops it).").format(
        host=host, port=port), flush=True)
    try:
        serve(create_app(finder(repo, follow=True)), host, port, as_child=os.environ.get(CHILD_ENV) == "1")
    finally:
        if hub is not None:
            hub.stop()
        repo.close()
    return 0
