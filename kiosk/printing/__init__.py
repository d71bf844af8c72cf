"""Paper: slips laid out as pure data, turned into ESC/POS bytes, sent by one printer worker.

    profiles   printer models and code pages, read from python-escpos's database (no import)
    text       what user text becomes on paper: NFC, no control bytes, only the page's letters
    slips      the four layouts (receipt, review one-pager, follow-up list, test) as data
    escpos_out a slip as the exact bytes of one job, through python-escpos
    devices    the printer connections (network, USB, serial, file, CUPS, preview) with timeouts
    spool      print jobs: stored before they are sent, one worker, plain outcomes

python-escpos is imported only by ``escpos_out`` and ``devices``, and only after the kiosk has
set up its logging (its import calls ``logging.basicConfig()``; see ``load_escpos``).
"""
