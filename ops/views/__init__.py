"""Operations' pages: the health check, the audit trail and the sign-in lock-outs."""
