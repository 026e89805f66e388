//! The Paranoid Pirate queue and worker. (Being written: issue 10.)
