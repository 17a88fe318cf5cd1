"""From triggers and their arguments to ACLED events and statements."""
