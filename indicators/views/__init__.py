"""Views by room: `dashboard` (leaders' pages and charts), `api` (JSON for other systems),
`entry` (monthly figures: entry, review, locking)."""
