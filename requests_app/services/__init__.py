"""The verbs of LinkedOut: the only code that writes requests, their timeline,
tokens, reminders and receipts. Views and tasks call these.

* `requests` — make a request and move it along (the state table is
  `lifecycle.py`); every change appends to the timeline and replans reminders.
* `outbox` — every email as a row: planned, claimed when due, delivered once.
* `receipts` — render, store and issue the PDF receipt.
* `links` — asking for private links again, and the keyed email lookup.
* `upkeep` — the sweep's heartbeat, daily jobs by the database's clock,
  expired form sessions.
"""
