//! The durable outbox's sender (being written: issue 10).

fn main() {}
