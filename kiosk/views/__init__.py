"""Words and layouts for people, without Textual: labels, the one-page view, dates, the export
formats and "have we seen this before?". The screens, the slips, the phone page and the command
line all say things through these.
"""
