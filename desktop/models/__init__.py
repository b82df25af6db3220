"""The domain: ORM schema, database bootstrap, progress rules and the service layer (no Qt)."""
