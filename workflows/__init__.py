"""State machines and the working-day calendar; no database or Flask code lives here."""
