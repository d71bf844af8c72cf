"""``kiosk serve``: the record page behind the QR codes, on a read-only view of the data folder
that follows the running kiosk. With ``[serve] enabled`` the kiosk runs this command as its
child process (:class:`kiosk.web.PageProcess`)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from kiosk.cli.common import Args, open_reader
from kiosk.config import Config
from kiosk.i18n import _


def cmd_serve(args: Args, config: Config, folder: Path) -> int:
    from kiosk.web import CHILD_ENV, RateLimitFilter, create_app, finder, serve

    # Before anything can flood it: a message repeated by a flood of connections is written once
    # a minute, with a count, so the log keeps its history (D2).
    for handler in logging.getLogger().handlers:
        handler.addFilter(RateLimitFilter())
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
        repo.close()
    return 0
