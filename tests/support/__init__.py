"""Test support: the environment every test process runs with, moto tables built from
template.yaml, the events in events/, and a DynamoDB request counter."""
