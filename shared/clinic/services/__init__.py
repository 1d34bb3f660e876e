"""Domain logic. Services take plain values and models, call repositories, return models."""
