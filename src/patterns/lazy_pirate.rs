//! Failover: the Lazy Pirate client. (Being written: issue 10.)
