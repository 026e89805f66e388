//! Heartbeats: ZMTP heartbeats made simple, and an application-level liveness tracker. (Being written: issue 10.)
