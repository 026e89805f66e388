//! Persistence: the durable outbox and the de-duplicating receiver. (Being written: issue 10.)
