"""The leak canary (R9, R12, R13): unique strings planted in every private
free-text field, then looked for in every channel a non-physician reaches:
pages, downloads (PDF, CSV, .ics), emails of every reminder kind, the audit
log and error pages."""
