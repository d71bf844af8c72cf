"""The core: records and their rules in pure Python. No files, no printer, no Textual, and no
words on screen (those are in :mod:`kiosk.views`); everything here is a value in, a value out.
"""
