"""Procore record types as the connector sees them (API v1.x shapes, Decimal money)."""
