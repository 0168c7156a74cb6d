# Italian writes the day of a date without a leading zero ("1 dicembre 2026",
# not Django's "01 Dicembre 2026"). Only what differs from Django's own
# Italian formats is here; the rest is Django's.
DATE_FORMAT = "j F Y"
