//! The macros that turn [the option table](super::table) into methods: a group of rows
//! becomes one `impl` block on each type of its list, a row a getter, a setter or both.
//!
//! The table is expanded twice, once per layer, so that each expansion names only what its
//! layer sees: the groups on `SocketCore` in [`crate::options`] (the core uses them itself:
//! the linger a socket opens with, the CURVE keys checked before a bind), every other group
//! in `crate::typed::options`, where the dynamic `Socket` and every typed socket are in
//! scope. Type and codec names in the rows are resolved where the table is expanded.

/// Expands the groups of the table that belong to `$site` (`core` or `typed`).
macro_rules! expand_groups {
    ($site:ident; $( $(#[$meta:meta])* [$($types:tt)*] $rows:tt )*) => {
        $( $crate::options::expand_group!($site; $(#[$meta])* [$($types)*] $rows); )*
    };
}

/// One group: `[SocketCore]` groups belong to the core, every other to the typed layer.
macro_rules! expand_group {
    (core; $(#[$meta:meta])* [SocketCore] $rows:tt) => {
        $(#[$meta])*
        impl SocketCore {
            $crate::options::expand_rows! $rows
        }
    };
    (core; $($other:tt)*) => {};
    (typed; $(#[$meta:meta])* [SocketCore] $rows:tt) => {};
    (typed; $(#[$meta:meta])* [$($types:tt)*] $rows:tt) => {
        $crate::options::expand_impls!([$(#[$meta])*] [$($types)*] $rows);
    };
}

/// One `impl` block per type of the list. A type marked `(by_hand)` gets none: it has a
/// hand-written method of the same name (which keeps some state of its own) that calls the
/// generated one of the dynamic `Socket`.
macro_rules! expand_impls {
    ($metas:tt [] $rows:tt) => {};
    ($metas:tt [$ty:ident $(<$g:ident>)? (by_hand) $(, $($rest:tt)*)?] $rows:tt) => {
        $crate::options::expand_impls!($metas [$($($rest)*)?] $rows);
    };
    ([$(#[$meta:meta])*] [$ty:ident $(<$g:ident>)? $(, $($rest:tt)*)?] $rows:tt) => {
        $(#[$meta])*
        impl$(<$g>)? $ty$(<$g>)? {
            $crate::options::expand_rows! $rows
        }
        $crate::options::expand_impls!([$(#[$meta])*] [$($($rest)*)?] $rows);
    };
}

/// The rows of a group, one at a time:
///
/// - `ZMQ_X: rw Codec: Type, getter, setter, "doc";` (also `ro .. getter` and `wo .. setter`):
///   an integer option, its value mapped by a [`Codec`](super::codecs::Codec);
/// - `ZMQ_X: rw str, getter, setter, "doc";`: a string (the getter drops libzmq's NUL);
/// - `ZMQ_X: wo bytes, setter, "doc";`: bytes;
/// - `ZMQ_X: rw routing_id, getter, setter, "doc";` (or `wo`): 1 to 255 bytes, checked;
/// - `ZMQ_X: rw curve_key, getter / z85_getter, setter, "doc";`: a CURVE public key;
/// - `ZMQ_X: rw curve_secret, getter / z85_getter, setter, "doc";`: a CURVE secret key, read
///   into a [`SecretKey`](crate::security::SecretKey) and text wiped on drop.
macro_rules! expand_rows {
    () => {};
    ($zmq:ident: rw str, $get:ident, $set:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_getsockopt` with `", stringify!($zmq), "` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)); the trailing NUL is dropped.")]
        pub fn $get(&self) -> $crate::error::Result<String> {
            self.get_string(zmq_ffi::$zmq, stringify!($zmq))
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, value: &str) -> $crate::error::Result<()> {
            self.set_string(zmq_ffi::$zmq, stringify!($zmq), value)
        }
        $crate::options::expand_rows!($($rest)*);
    };
    ($zmq:ident: wo bytes, $set:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, value: impl AsRef<[u8]>) -> $crate::error::Result<()> {
            self.set_bytes(zmq_ffi::$zmq, stringify!($zmq), value.as_ref())
        }
        $crate::options::expand_rows!($($rest)*);
    };
    ($zmq:ident: rw routing_id, $get:ident, $set:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_getsockopt` with `", stringify!($zmq), "` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).")]
        pub fn $get(&self) -> $crate::error::Result<Vec<u8>> {
            self.get_bytes(zmq_ffi::$zmq, stringify!($zmq), 255)
        }
        $crate::options::expand_rows!($zmq: wo routing_id, $set, $doc; $($rest)*);
    };
    ($zmq:ident: wo routing_id, $set:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = "1 to 255 bytes, not starting with a zero byte (libzmq keeps those for the ids it generates): [`Error::OptionValue`](crate::Error::OptionValue) otherwise."]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, id: impl AsRef<[u8]>) -> $crate::error::Result<()> {
            let id = id.as_ref();
            $crate::options::check_routing_id(stringify!($zmq), id)?;
            self.set_bytes(zmq_ffi::$zmq, stringify!($zmq), id)
        }
        $crate::options::expand_rows!($($rest)*);
    };
    ($zmq:ident: rw curve_key, $get:ident / $get_z85:ident, $set:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("The 32-byte key. Wraps `zmq_getsockopt` with `", stringify!($zmq), "` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).")]
        pub fn $get(&self) -> $crate::error::Result<[u8; 32]> {
            let bytes = self.get_bytes(zmq_ffi::$zmq, stringify!($zmq), 32)?;
            bytes.try_into().map_err(|b: Vec<u8>| $crate::error::Error::OptionValue {
                option: stringify!($zmq),
                reason: format!("libzmq returned {} bytes, not 32", b.len()),
            })
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("The key as 40 Z85 characters. Wraps `zmq_getsockopt` with `", stringify!($zmq), "` and a 41-byte buffer ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).")]
        pub fn $get_z85(&self) -> $crate::error::Result<String> {
            self.get_string_max(zmq_ffi::$zmq, stringify!($zmq), 41)
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Takes 32 raw bytes or 40 Z85 characters. Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(
            &self,
            key: impl TryInto<$crate::security::CurveKey, Error = $crate::error::Error>,
        ) -> $crate::error::Result<()> {
            let key = key.try_into()?;
            self.set_bytes(zmq_ffi::$zmq, stringify!($zmq), key.as_bytes())
        }
        $crate::options::expand_rows!($($rest)*);
    };
    ($zmq:ident: rw curve_secret, $get:ident / $get_z85:ident, $set:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("The key, read straight into a [`SecretKey`](crate::security::SecretKey) (wiped on drop). Wraps `zmq_getsockopt` with `", stringify!($zmq), "` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).")]
        pub fn $get(&self) -> $crate::error::Result<$crate::security::SecretKey> {
            self.get_secret_key(zmq_ffi::$zmq, stringify!($zmq))
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("The key as 40 Z85 characters, in a string wiped on drop. Wraps `zmq_getsockopt` with `", stringify!($zmq), "` and a 41-byte buffer, wiped too ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).")]
        pub fn $get_z85(&self) -> $crate::error::Result<zeroize::Zeroizing<String>> {
            self.get_secret_key_z85(zmq_ffi::$zmq, stringify!($zmq))
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Takes a [`SecretKey`](crate::security::SecretKey) (by reference), 32 raw bytes or 40 Z85 characters. Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(
            &self,
            key: impl TryInto<$crate::security::SecretKey, Error = $crate::error::Error>,
        ) -> $crate::error::Result<()> {
            let key = key.try_into()?;
            self.set_bytes(zmq_ffi::$zmq, stringify!($zmq), key.as_bytes())
        }
        $crate::options::expand_rows!($($rest)*);
    };
    ($zmq:ident: rw $codec:ident: $ty:ty, $get:ident, $set:ident, $doc:literal; $($rest:tt)*) => {
        $crate::options::expand_rows!($zmq: ro $codec: $ty, $get, $doc;);
        $crate::options::expand_rows!($zmq: wo $codec: $ty, $set, $doc; $($rest)*);
    };
    ($zmq:ident: ro $codec:ident: $ty:ty, $get:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_getsockopt` with `", stringify!($zmq), "` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).")]
        pub fn $get(&self) -> $crate::error::Result<$ty> {
            let raw = self.get_int::<<$codec as $crate::options::Codec>::Raw>(
                zmq_ffi::$zmq,
                stringify!($zmq),
            )?;
            Ok(<$codec as $crate::options::Codec>::decode(raw))
        }
        $crate::options::expand_rows!($($rest)*);
    };
    ($zmq:ident: wo $codec:ident: $ty:ty, $set:ident, $doc:literal; $($rest:tt)*) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, value: $ty) -> $crate::error::Result<()> {
            let raw = <$codec as $crate::options::Codec>::encode(stringify!($zmq), value)?;
            self.set_int(zmq_ffi::$zmq, stringify!($zmq), raw)
        }
        $crate::options::expand_rows!($($rest)*);
    };
}

pub(crate) use {expand_group, expand_groups, expand_impls, expand_rows};
