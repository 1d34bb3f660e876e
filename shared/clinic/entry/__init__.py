"""Where Lambda hands the product an event: one module per kind of caller, one way each.

- ``http``: API Gateway REST routes (``make_resolver``, ``lambda_entry``, ``current_user``);
- ``trigger``: Cognito user-pool triggers (``trigger_entry``);
- ``batch``: SQS batches, record by record through Powertools' ``BatchProcessor`` (``batch_entry``);
- ``invoke``: direct invocations and other internal callers (``invoke_entry``), with ``stream``
  unwrapping DynamoDB stream records;
- ``schedule``: EventBridge schedules (``schedule_entry``).

Every entry logs with the request id (never the event), flushes metrics per invocation, and
reports an unexpected error the same way (``failure.report_unexpected``: its type and where,
never its message). Transport envelopes are unwrapped here; services take domain inputs.
Importing this package loads none of its modules: a function pays only for its own kind.
"""
