"""The clinic dashboard backend's in-house package, shared by every Lambda function.

Layers, by name: ``models`` (pydantic shapes), ``repositories`` (all DynamoDB access),
``services`` (domain logic), ``api`` (resolver factory, caller identity, error mapping),
``settings`` (environment parsed once, by feature), ``clock`` (the one wall clock) and ``aws``
(cached clients).
"""
