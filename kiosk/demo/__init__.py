"""Demo data: a year of realistic Spanish records for ``kiosk run --demo``, trials and benchmarks.

``generator`` plans and writes the records; the plant's words (scenarios, stations, products,
names) are data, in ``scenarios.toml`` beside it. This module only names the demo admin, so
Home can show the banner without loading the generator.
"""

#: The admin a demo kiosk comes with, shown on Home's banner and in the README (demo data only).
DEMO_ADMIN = "Admin Demo"
DEMO_PIN = "2580"
