"""Views by room: `indicator` (one indicator's page and charts), `api` (JSON for other
systems), `entry` (monthly figures: entry, review, locking). The overview is `reports.views`."""
