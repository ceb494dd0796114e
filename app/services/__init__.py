"""Domain services: the only code that changes tickets, accounts and the outbox."""
