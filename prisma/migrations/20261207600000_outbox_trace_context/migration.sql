-- The trace context of the request or job that wrote the row (W3C trace context, as JSON),
-- so that the trace of a command goes on through the queue. NULL when tracing is off.
ALTER TABLE outbox ADD COLUMN trace_context text;
