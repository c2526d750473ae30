"""Request and response bodies, one module per feature (`batches`, `reminders`, ...);
`base` holds what they share. Requests are `Body` (unknown fields refused), responses
`Out`; each response has an `of()` from its domain object."""
