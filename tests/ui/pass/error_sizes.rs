//! The failure types stay below clippy's `large-error-threshold` (128 bytes), so a user's
//! function returning them does not trip `result_large_err`: checked at compile time.
use std::mem::size_of;
use zmq_typed::{Error, Failed, Message, Multipart, ProxyFailed, Ready, Receiving, Rep, Req, SendError};

/// clippy's default `large-error-threshold`.
const CLIPPY_LIMIT: usize = 128;

const _: () = assert!(size_of::<SendError>() < CLIPPY_LIMIT);
const _: () = assert!(size_of::<SendError<Message>>() < CLIPPY_LIMIT);
const _: () = assert!(size_of::<Failed<Req<Ready>, Multipart>>() < CLIPPY_LIMIT);
const _: () = assert!(size_of::<Failed<Rep<Receiving>>>() < CLIPPY_LIMIT);
const _: () = assert!(size_of::<ProxyFailed>() < CLIPPY_LIMIT);
const _: () = assert!(size_of::<Error>() < CLIPPY_LIMIT);
const _: () = assert!(size_of::<Result<(), Error>>() < CLIPPY_LIMIT);

// Boxed: one pointer, whatever they carry.
const _: () = assert!(size_of::<SendError>() == size_of::<usize>());
const _: () = assert!(size_of::<Failed<Req<Ready>, Multipart>>() == size_of::<usize>());

fn main() {
    println!(
        "SendError {} B, Failed<Req<Ready>, Multipart> {} B, Error {} B, Result<(), Error> {} B",
        size_of::<SendError>(),
        size_of::<Failed<Req<Ready>, Multipart>>(),
        size_of::<Error>(),
        size_of::<Result<(), Error>>()
    );
}
