"""Rollups: the dashboard's and the coalition view's counts, kept per period beside the
referrals so that a page reads a few hundred rows however many referrals there are.

``tables.py`` holds the tables, ``contributions.py`` the one definition of what a referral
adds to them (used to rebuild, to check and to keep them in step), ``upkeep.py`` keeps them
in step in the transaction of every change, ``periods.py`` turns a date range into the
periods stored, and ``cli.py`` gives ``flask rollups rebuild`` and ``flask rollups check``.
"""
