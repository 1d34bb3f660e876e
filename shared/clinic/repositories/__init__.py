"""All DynamoDB access. Nothing outside this package builds a request or touches a client."""
