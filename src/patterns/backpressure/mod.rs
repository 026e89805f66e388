//! Backpressure: explicit high-water marks, `try_send`, and credit-based flow control. (Being written: issue 10.)
