"""The plant hub: several kiosks sharing one learning base through PostgreSQL (SPEC section 8).

A kiosk stays offline-first: it saves to its own journal and acknowledges after its fdatasync,
never after a round trip. The hub is PostgreSQL used as it is meant to be: a versioned schema
(:mod:`kiosk.hub.schema`), one role per kiosk with row-level security so that a kiosk can only
write its own changes, unique constraints for idempotence, and LISTEN/NOTIFY for new changes.
Nothing here is imported unless ``[hub] url`` is set or a ``kiosk hub`` command runs.
"""
