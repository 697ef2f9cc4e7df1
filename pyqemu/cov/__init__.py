"""Coverage tooling: read drcov files, merge them, summarise them."""
