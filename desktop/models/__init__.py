"""The domain: ORM schema, database bootstrap, the status rule and the service layer (no Qt)."""
