"""All DynamoDB access. Nothing outside this package builds a request or touches a client.

One module per table, named for it (``users_table`` owns UsersTable); ``dynamo``, ``keys``,
``paging`` and ``user_data`` are the helpers they share."""
