"""The accounts' pages: sign-in and lock-out (signin), the start page and language (home),
reminder settings (reminders), API tokens (tokens)."""
