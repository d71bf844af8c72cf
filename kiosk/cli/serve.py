"""``kiosk serve``: the record page behind the QR codes, on a read-only view of the data folder
that follows the running kiosk."""

from __future__ import annotations

from pathlib import Path

from kiosk.cli.common import Args, open_reader
from kiosk.config import Config
from kiosk.i18n import _


def cmd_serve(args: Args, config: Config, folder: Path) -> int:
    import uvicorn

    from kiosk.web import create_app, finder

    repo = open_reader(config, folder)
    if repo is None:
        return 1
    host = args.host or config.serve.host
    port = args.port if args.port is not None else config.serve.port
    print(_("Serving the record page on http://{host}:{port}/r/ID?k=TOKEN (ctrl+c stops it).").format(
        host=host, port=port), flush=True)
    try:
        uvicorn.run(create_app(finder(repo, follow=True)), host=host, port=port, log_config=None,
                    access_log=False, lifespan="off")
    finally:
        repo.close()
    return 0
