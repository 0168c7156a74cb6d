"""The verbs of LinkedOut: the only code that writes requests, their timeline,
tokens, reminders and receipts. Views and tasks call these.

* `requests` — make a request and move it along (the state table is
  `lifecycle.py`); every change appends to the timeline and replans reminders.
* `reminders` — make the reminder rows match the plan, claim due ones, deliver.
* `receipts` — render, store and issue the PDF receipt.
* `links` — private links by email, and the keyed email lookup.
* `upkeep` — the daily purge's helpers and the sweep's heartbeat.
"""
