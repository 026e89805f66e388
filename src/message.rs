//! `Message`: one frame, over libzmq's `zmq_msg_t`
//! ([man zmq_msg_init](http://api.zeromq.org/4-3:zmq-msg-init)).

use std::cell::UnsafeCell;
use std::ffi::{CStr, CString};
use std::fmt;
use std::mem::MaybeUninit;
use std::ops::Deref;
use std::os::raw::c_void;

use crate::error::{check, Detail, Error, Result};

/// Up to this many bytes libzmq keeps a message inside the `zmq_msg_t` itself ("very small
/// message"), with no allocation at all; for buffers this small, copying beats handing the
/// buffer over (which costs libzmq an allocation of its own).
pub const INLINE_MAX: usize = 33;

/// One message frame.
///
/// Built from bytes, a string or an owned buffer; `Vec<u8>`, `Box<[u8]>` and `&'static [u8]`
/// larger than [`INLINE_MAX`] are handed to libzmq without copying, and freed exactly once
/// when libzmq is done with them, from whichever thread that is. Reads as `&[u8]` through
/// `Deref`; [`Message::data_mut`] gives mutable access only when the bytes are really this
/// message's own (not static data, not shared with a copy).
///
/// `Send` but not `Sync`. Wraps `zmq_msg_t` and the `zmq_msg_*` functions.
/// ([man zmq_msg_init](http://api.zeromq.org/4-3:zmq-msg-init))
pub struct Message {
    /// Initialised by libzmq (a `zmq_msg_init*` call) before any other use: libzmq alone
    /// reads and writes these bytes, so they are never zeroed first. Static data (handed
    /// over with no free function) needs no flag of its own: libzmq reports it as shared.
    msg: UnsafeCell<MaybeUninit<zmq_ffi::zmq_msg_t>>,
}

// SAFETY: a zmq_msg_t owns its data (or holds a reference count on it, updated atomically by
// libzmq); moving it to another thread is what zmq_msg_send/recv do all the time. It is not
// Sync: zmq_msg_copy mutates the source.
unsafe impl Send for Message {}

extern "C" fn free_vec(data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `data` is the pointer of a Vec<u8> whose capacity was passed as `hint` and
    // whose ownership was given to libzmq in `Message::from_vec`; libzmq calls this exactly
    // once. Length 0 is fine: u8 needs no drop, and deallocation needs only ptr and capacity.
    // Deallocation cannot panic, so nothing unwinds into C.
    drop(unsafe { Vec::from_raw_parts(data as *mut u8, 0, hint as usize) });
}

impl Message {
    /// Room for a `zmq_msg_t`, not yet initialised: the caller initialises it with a
    /// `zmq_msg_init*` call before anything else, or forgets it.
    #[inline]
    fn uninit() -> Message {
        Message {
            msg: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// The `zmq_msg_t`, for libzmq (which may write through it: `Message` is not `Sync`).
    #[inline]
    fn raw(&self) -> *mut zmq_ffi::zmq_msg_t {
        self.msg.get().cast()
    }

    /// An empty message.
    ///
    /// Wraps `zmq_msg_init` ([man zmq_msg_init](http://api.zeromq.org/4-3:zmq-msg-init)).
    #[inline]
    pub fn new() -> Message {
        let msg = Message::uninit();
        // SAFETY: the pointer is to a zmq_msg_t owned by `msg`; zmq_msg_init always succeeds.
        unsafe { zmq_ffi::zmq_msg_init(msg.raw()) };
        msg
    }

    /// A message of `len` bytes whose contents are not yet initialised.
    ///
    /// Wraps `zmq_msg_init_size`.
    /// ([man zmq_msg_init_size](http://api.zeromq.org/4-3:zmq-msg-init-size))
    #[inline]
    fn init_size(len: usize) -> Result<Message> {
        let msg = Message::uninit();
        // SAFETY: the pointer is to a zmq_msg_t owned by `msg`.
        let rc = unsafe { zmq_ffi::zmq_msg_init_size(msg.raw(), len) };
        if rc == -1 {
            // Not initialised: forget it rather than close it.
            std::mem::forget(msg);
            return Err(crate::error::last_error(|| {
                Detail::new(format!("zmq_msg_init_size({len})"))
            }));
        }
        Ok(msg)
    }

    /// A message of `len` zeroed bytes, to be filled through [`Message::data_mut`].
    ///
    /// Wraps `zmq_msg_init_size` ([man zmq_msg_init_size](http://api.zeromq.org/4-3:zmq-msg-init-size)).
    pub fn with_size(len: usize) -> Result<Message> {
        let msg = Message::init_size(len)?;
        // SAFETY: the fresh message owns `len` writable bytes at zmq_msg_data (none when
        // len is 0, where write_bytes of 0 bytes is a no-op on any non-null pointer).
        unsafe { std::ptr::write_bytes(zmq_ffi::zmq_msg_data(msg.raw()) as *mut u8, 0, len) };
        Ok(msg)
    }

    /// A message holding a copy of `bytes` (written once, not zeroed first).
    #[inline]
    pub fn from_slice(bytes: &[u8]) -> Message {
        // Built where it stays (no Result to move it through): this is every send's path.
        let msg = Message::uninit();
        // SAFETY: the pointer is to a zmq_msg_t owned by `msg`.
        let rc = unsafe { zmq_ffi::zmq_msg_init_size(msg.raw(), bytes.len()) };
        if rc == -1 {
            // Not initialised: forget it rather than close it.
            std::mem::forget(msg);
            out_of_memory(bytes.len());
        }
        // SAFETY: the fresh message owns bytes.len() writable bytes at zmq_msg_data, which
        // cannot overlap `bytes` (a borrowed slice the message did not exist for).
        unsafe {
            std::ptr::copy_nonoverlapping(
                bytes.as_ptr(),
                zmq_ffi::zmq_msg_data(msg.raw()) as *mut u8,
                bytes.len(),
            )
        };
        msg
    }

    /// A message that takes `vec` without copying (copied when it is at most [`INLINE_MAX`]
    /// bytes, which is cheaper). The buffer is freed exactly once, when libzmq is done.
    ///
    /// Wraps `zmq_msg_init_data` ([man zmq_msg_init_data](http://api.zeromq.org/4-3:zmq-msg-init-data)).
    pub fn from_vec(vec: Vec<u8>) -> Message {
        if vec.len() <= INLINE_MAX {
            return Message::from_slice(&vec);
        }
        let mut vec = std::mem::ManuallyDrop::new(vec);
        let (ptr, len, cap) = (vec.as_mut_ptr(), vec.len(), vec.capacity());
        let msg = Message::uninit();
        // SAFETY: ptr/len describe the Vec's initialised bytes; ownership passes to libzmq,
        // which calls free_vec(ptr, cap) exactly once. On failure (ENOMEM) libzmq does not
        // take the buffer, so it is rebuilt and freed here.
        let rc = unsafe {
            zmq_ffi::zmq_msg_init_data(
                msg.raw(),
                ptr as *mut c_void,
                len,
                Some(free_vec),
                cap as *mut c_void,
            )
        };
        if rc == -1 {
            std::mem::forget(msg);
            // SAFETY: libzmq refused the buffer, so it is still ours.
            let vec = unsafe { Vec::from_raw_parts(ptr, len, cap) };
            return Message::from_slice(&vec);
        }
        msg
    }

    /// A message that takes `boxed` without copying (see [`Message::from_vec`]).
    pub fn from_box(boxed: Box<[u8]>) -> Message {
        // Box<[u8]> -> Vec<u8> reuses the allocation (capacity == length).
        Message::from_vec(boxed.into_vec())
    }

    /// A message over static bytes: neither copied nor freed, never mutable.
    ///
    /// Wraps `zmq_msg_init_data` with no free function.
    /// ([man zmq_msg_init_data](http://api.zeromq.org/4-3:zmq-msg-init-data))
    pub fn from_static(bytes: &'static [u8]) -> Message {
        if bytes.len() <= INLINE_MAX {
            return Message::from_slice(bytes);
        }
        let msg = Message::uninit();
        // SAFETY: the bytes live for 'static and are never written: libzmq only reads
        // constant data, and data_mut refuses it (libzmq reports it as shared).
        let rc = unsafe {
            zmq_ffi::zmq_msg_init_data(
                msg.raw(),
                bytes.as_ptr() as *mut c_void,
                bytes.len(),
                None,
                std::ptr::null_mut(),
            )
        };
        if rc == -1 {
            std::mem::forget(msg);
            return Message::from_slice(bytes);
        }
        msg
    }

    #[inline]
    pub(crate) fn as_mut_ptr(&mut self) -> *mut zmq_ffi::zmq_msg_t {
        self.msg.get_mut().as_mut_ptr()
    }

    /// Number of bytes. Wraps `zmq_msg_size` ([man zmq_msg_size](http://api.zeromq.org/4-3:zmq-msg-size)).
    #[inline]
    pub fn len(&self) -> usize {
        // SAFETY: the message is initialised for as long as self lives.
        unsafe { zmq_ffi::zmq_msg_size(self.raw()) }
    }

    /// Whether the message has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes. Wraps `zmq_msg_data` ([man zmq_msg_data](http://api.zeromq.org/4-3:zmq-msg-data)).
    #[inline]
    pub fn data(&self) -> &[u8] {
        let len = self.len();
        if len == 0 {
            return &[];
        }
        // SAFETY: zmq_msg_data points at `len` initialised bytes that live as long as the
        // message and do not move while it is borrowed (inline data moves only with the
        // message, which a borrow prevents).
        unsafe { std::slice::from_raw_parts(zmq_ffi::zmq_msg_data(self.raw()) as *const u8, len) }
    }

    /// Whether the bytes are shared with another message (after a [`Clone`], or received
    /// over `inproc://` from a socket that sent them to several peers), or are static data
    /// ([`Message::from_static`] over more than [`INLINE_MAX`] bytes): bytes this message may
    /// not change. Frames received over tcp or ipc have bytes of their own, even those
    /// libzmq decoded from one read into one buffer.
    ///
    /// Wraps `zmq_msg_get(ZMQ_SHARED)` ([man zmq_msg_get](http://api.zeromq.org/4-3:zmq-msg-get)).
    pub fn is_shared(&self) -> bool {
        // SAFETY: the message is initialised.
        unsafe { zmq_ffi::zmq_msg_get(self.raw(), zmq_ffi::ZMQ_SHARED) == 1 }
    }

    /// Mutable bytes, when they are this message's own: `None` for static data and for data
    /// shared with a copy.
    pub fn data_mut(&mut self) -> Option<&mut [u8]> {
        // Static data (zmq_msg_init_data with no free function) counts as shared too.
        if self.is_shared() {
            return None;
        }
        let len = self.len();
        if len == 0 {
            return Some(&mut []);
        }
        // SAFETY: as in `data`, and exclusive: `&mut self`, and the bytes are neither
        // constant nor shared with another message.
        Some(unsafe {
            std::slice::from_raw_parts_mut(zmq_ffi::zmq_msg_data(self.as_mut_ptr()) as *mut u8, len)
        })
    }

    /// Whether more frames of the same message follow (set on received frames).
    ///
    /// Wraps `zmq_msg_more` ([man zmq_msg_more](http://api.zeromq.org/4-3:zmq-msg-more)).
    pub fn more(&self) -> bool {
        // SAFETY: the message is initialised.
        unsafe { zmq_ffi::zmq_msg_more(self.raw()) == 1 }
    }

    /// The bytes as UTF-8 text.
    pub fn as_str(&self) -> Result<&str> {
        std::str::from_utf8(self.data()).map_err(|source| Error::Utf8 {
            what: "message",
            source,
        })
    }

    /// The bytes, copied into a `Vec`.
    pub fn to_vec(&self) -> Vec<u8> {
        self.data().to_vec()
    }

    /// A metadata property of a received message: `Socket-Type`, `Routing-Id`, `User-Id`,
    /// `Peer-Address`, or one set by a ZAP handler. `Ok(None)` when the message has no such
    /// property: over `inproc://` there is no metadata at all, and a PUSH peer sends no
    /// `Routing-Id`.
    ///
    /// Wraps `zmq_msg_gets` ([man zmq_msg_gets](http://api.zeromq.org/4-3:zmq-msg-gets)).
    pub fn property(&self, name: &str) -> Result<Option<&str>> {
        let cname = CString::new(name).map_err(|e| Error::Nul {
            what: "property name",
            position: e.nul_position(),
        })?;
        // SAFETY: the message is initialised; cname is NUL-terminated. The result is NULL
        // (no such property) or points into the message's metadata, which lives as long as
        // the message.
        let ptr = unsafe { zmq_ffi::zmq_msg_gets(self.raw(), cname.as_ptr()) };
        if ptr.is_null() {
            return Ok(None);
        }
        // SAFETY: non-NULL results are NUL-terminated strings owned by the metadata.
        let text = unsafe { CStr::from_ptr(ptr) };
        text.to_str().map(Some).map_err(|source| Error::Utf8 {
            what: "message property",
            source,
        })
    }

    /// The sending socket's type (`Socket-Type` property).
    pub fn socket_type_property(&self) -> Result<Option<&str>> {
        self.property("Socket-Type")
    }

    /// The peer's routing id (`Routing-Id` property; libzmq 4.3 stores it under the ZMTP
    /// name `Identity`, which is read when `Routing-Id` is absent).
    pub fn routing_id_property(&self) -> Result<Option<&str>> {
        match self.property("Routing-Id")? {
            Some(id) => Ok(Some(id)),
            None => self.property("Identity"),
        }
    }

    /// The user id a ZAP handler gave the peer (`User-Id` property).
    pub fn user_id(&self) -> Result<Option<&str>> {
        self.property("User-Id")
    }

    /// The peer's IP address (`Peer-Address` property).
    pub fn peer_address(&self) -> Result<Option<&str>> {
        self.property("Peer-Address")
    }

    /// A copy that shares the bytes (no copy of the data; both become read-only).
    ///
    /// Wraps `zmq_msg_copy` ([man zmq_msg_copy](http://api.zeromq.org/4-3:zmq-msg-copy)).
    pub fn share(&self) -> Result<Message> {
        let mut copy = Message::new();
        // SAFETY: both messages are initialised; zmq_msg_copy releases copy's (empty) content
        // and makes both refer to the same reference-counted data. `self.msg` is mutated
        // through the UnsafeCell, which is sound as Message is not Sync.
        let rc = unsafe { zmq_ffi::zmq_msg_copy(copy.as_mut_ptr(), self.raw()) };
        check(rc, || Detail::new("zmq_msg_copy"))?;
        Ok(copy)
    }
}

/// zmq_msg_init_size fails only for lack of memory: behave as `Vec` does then.
#[cold]
fn out_of_memory(len: usize) -> ! {
    let layout =
        std::alloc::Layout::array::<u8>(len).unwrap_or_else(|_| std::alloc::Layout::new::<u8>());
    std::alloc::handle_alloc_error(layout)
}

impl Drop for Message {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the message is initialised and closed exactly once, here.
        unsafe { zmq_ffi::zmq_msg_close(self.as_mut_ptr()) };
    }
}

impl Clone for Message {
    /// A shared copy ([`Message::share`]); falls back to copying the bytes.
    fn clone(&self) -> Message {
        self.share()
            .unwrap_or_else(|_| Message::from_slice(self.data()))
    }
}

impl Default for Message {
    fn default() -> Message {
        Message::new()
    }
}

impl Deref for Message {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.data()
    }
}

impl AsRef<[u8]> for Message {
    fn as_ref(&self) -> &[u8] {
        self.data()
    }
}

impl PartialEq for Message {
    fn eq(&self, other: &Message) -> bool {
        self.data() == other.data()
    }
}

impl Eq for Message {}

impl PartialEq<[u8]> for Message {
    fn eq(&self, other: &[u8]) -> bool {
        self.data() == other
    }
}

impl PartialEq<&[u8]> for Message {
    fn eq(&self, other: &&[u8]) -> bool {
        self.data() == *other
    }
}

impl PartialEq<str> for Message {
    fn eq(&self, other: &str) -> bool {
        self.data() == other.as_bytes()
    }
}

impl PartialEq<&str> for Message {
    fn eq(&self, other: &&str) -> bool {
        self.data() == other.as_bytes()
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(self.data()) {
            Ok(text) => write!(f, "Message({text:?})"),
            Err(_) => write!(f, "Message({:02x?})", self.data()),
        }
    }
}

impl From<Vec<u8>> for Message {
    fn from(v: Vec<u8>) -> Message {
        Message::from_vec(v)
    }
}

impl From<Box<[u8]>> for Message {
    fn from(b: Box<[u8]>) -> Message {
        Message::from_box(b)
    }
}

impl From<String> for Message {
    fn from(s: String) -> Message {
        Message::from_vec(s.into_bytes())
    }
}

impl From<&[u8]> for Message {
    #[inline]
    fn from(b: &[u8]) -> Message {
        Message::from_slice(b)
    }
}

impl<const N: usize> From<&[u8; N]> for Message {
    fn from(b: &[u8; N]) -> Message {
        Message::from_slice(b)
    }
}

impl From<&Vec<u8>> for Message {
    /// A copy of the bytes, so that `socket.send(&buffer)` keeps the buffer.
    fn from(v: &Vec<u8>) -> Message {
        Message::from_slice(v)
    }
}

impl From<&str> for Message {
    #[inline]
    fn from(s: &str) -> Message {
        Message::from_slice(s.as_bytes())
    }
}

impl From<&String> for Message {
    fn from(s: &String) -> Message {
        Message::from_slice(s.as_bytes())
    }
}

impl From<&Message> for Message {
    /// A shared copy.
    fn from(m: &Message) -> Message {
        m.clone()
    }
}
