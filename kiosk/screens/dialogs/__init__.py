"""Dialogs: modal screens that return a value; the screen that opened one decides what to do
with it (and saves, if anything is to be saved)."""
