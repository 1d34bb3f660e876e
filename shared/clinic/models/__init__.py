"""Pydantic models, grouped by owner. Import the module you need (e.g. ``clinic.models.stats``):
each route loads only its own shapes, which keeps cold starts short."""
