"""The local runner: the whole stack on 127.0.0.1 with no AWS account and no Docker.

moto's server stands in for DynamoDB, Cognito and friends; tables and the user pool come from
``template.yaml``; an HTTP server plays API Gateway (routes from the template, Cognito JWT
verification, REST proxy events) and calls the same handlers Lambda runs.
"""
