//! [`Poller`]: sockets and descriptors registered once, polled many times.

use std::fmt;
use std::marker::PhantomData;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::{item, poll_items, AsPollable, Pollable};
use crate::error::{Detail, Error, Result};
use crate::options::PollEvents;

/// What [`Poller::add`] returns: the name of one registration, to ask a [`Readiness`] about it,
/// or to change ([`Poller::set_interest`]) or remove ([`Poller::remove`]) it. A token is never
/// given twice by its poller, and belongs to the poller that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token {
    poller: u64,
    index: u32,
    generation: u32,
}

/// A slot of the registration table, by token index.
#[derive(Debug, Clone, Copy)]
struct Slot {
    generation: u32,
    /// Where the registration is in `items`; `None` once removed.
    position: Option<usize>,
}

/// Numbers the pollers, so that a token given to the wrong poller is recognised.
static NEXT_POLLER: AtomicU64 = AtomicU64::new(0);

/// Sockets (typed or dynamic), [`Monitor`](crate::Monitor)s and file descriptors to wait on
/// together, each registered once with [`Poller::add`], which returns its [`Token`].
/// [`Poller::poll`] waits until one of them is ready, and its [`Readiness`] answer says which.
///
/// The poller borrows what it polls for as long as it lives (`'a`), so nothing it polls can
/// be closed or moved meanwhile; the program keeps using the sockets through other shared
/// references (receiving, sending), on the poller's thread (sockets are not `Sync`, so
/// neither is a poller that holds them). A [`Req`](crate::Req) or [`Rep`](crate::Rep),
/// whose every operation moves it into a new type, is polled by a poller made for that
/// wait (cheap: one allocation) or by [`poll()`](super::poll()).
///
/// A ROUTER/DEALER broker's loop, with typed sockets:
///
/// ```
/// use std::time::Duration;
/// use zmq_typed::{Context, Dealer, PollEvents, Poller, Router};
/// let ctx = Context::new()?;
/// let frontend = Router::new(&ctx)?;
/// let endpoint = frontend.bind("inproc://poller-doc")?;
/// let backend = Dealer::new(&ctx)?;
/// let client = Dealer::new(&ctx)?;
/// client.connect(&endpoint)?;
/// client.send("request")?;
///
/// let mut poller = Poller::new();
/// let clients = poller.add(&frontend, PollEvents::IN);
/// let workers = poller.add(&backend, PollEvents::IN);
/// let ready = poller.poll(Some(Duration::from_secs(5)))?;
/// assert!(ready.is_readable(clients));
/// assert!(!ready.is_readable(workers));
/// assert_eq!(ready.iter().collect::<Vec<_>>(), [(clients, PollEvents::IN)]);
/// let request = frontend.recv()?;     // the request, from its client
/// # drop(request);
///
/// // Nothing is left to read: a poll that only looks finds nothing ready.
/// assert!(poller.poll(Some(Duration::ZERO))?.is_empty());
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// A socket cannot be closed while a poller holds it:
///
/// ```compile_fail,E0505
/// # use zmq_typed::{Context, PollEvents, Poller, Pull};
/// # let ctx = Context::new()?;
/// let pull = Pull::new(&ctx)?;
/// let mut poller = Poller::new();
/// let token = poller.add(&pull, PollEvents::IN);
/// drop(pull); // error[E0505]: cannot move out of `pull` because it is borrowed
/// poller.poll(None)?;
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// Nor can a poller, which polls sockets that are not `Sync`, go to another thread:
///
/// ```compile_fail,E0277
/// # use zmq_typed::{Context, PollEvents, Poller, Pull};
/// # let ctx = Context::new()?;
/// let pull = Pull::new(&ctx)?;
/// let mut poller = Poller::new();
/// poller.add(&pull, PollEvents::IN);
/// std::thread::scope(|s| {
///     s.spawn(move || poller.poll(None).map(|r| r.len())); // error[E0277]: not Send
/// });
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// Wraps `zmq_poll` ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
#[doc(alias("zmq_poll"))]
pub struct Poller<'a> {
    id: u64,
    /// The registrations, in the order they were added (what `zmq_poll` takes).
    items: Vec<zmq_ffi::zmq_pollitem_t>,
    /// The slot index of each item.
    owners: Vec<u32>,
    slots: Vec<Slot>,
    /// Removed slots, to be reused with their next generation.
    free: Vec<u32>,
    /// How many items the last poll found ready.
    ready: usize,
    /// What the items point into is borrowed for `'a`.
    _targets: PhantomData<Pollable<'a>>,
}

impl Default for Poller<'_> {
    fn default() -> Self {
        Poller::new()
    }
}

impl fmt::Debug for Poller<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("registered", &self.items.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Poller<'a> {
    /// An empty poller.
    pub fn new() -> Poller<'a> {
        Poller {
            id: NEXT_POLLER.fetch_add(1, Ordering::Relaxed),
            items: Vec::new(),
            owners: Vec::new(),
            slots: Vec::new(),
            free: Vec::new(),
            ready: 0,
            _targets: PhantomData,
        }
    }

    /// Registers `target` (any socket, typed or dynamic, a [`Monitor`](crate::Monitor), a
    /// file descriptor...), to wait until it is ready for `events` (`PollEvents::IN`,
    /// `OUT`, or both; `NONE` keeps it registered without waiting on it). `target` stays
    /// borrowed for as long as the poller lives. Registering the same target twice gives
    /// two tokens, each answered on its own.
    pub fn add<T: AsPollable + ?Sized>(&mut self, target: &'a T, events: PollEvents) -> Token {
        self.register(target.as_pollable(), events)
    }

    fn register(&mut self, target: Pollable<'a>, events: PollEvents) -> Token {
        let position = self.items.len();
        self.items.push(item(target, events));
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize].position = Some(position);
                index
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    position: Some(position),
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.owners.push(index);
        Token {
            poller: self.id,
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    /// Registers a file descriptor of anything that has one (a `UnixStream`, a
    /// `TcpStream`, a pipe...), borrowed for as long as the poller lives: [`Poller::add`]
    /// with [`Pollable::Fd`]. For a ZeroMQ socket, register the socket itself with
    /// [`Poller::add`] (then `zmq_poll` follows its state). Its descriptor (`AsFd`, from
    /// `ZMQ_FD`) can be waited on here too, as an outer event loop would, but it only says,
    /// edge triggered, that the socket's state *may* have changed: after each wake-up, drain
    /// while [`SocketCore::events`](crate::SocketCore::events) says so (see
    /// [the edge-triggered rule](crate::raw#the-descriptor-is-edge-triggered)).
    pub fn add_fd<F: AsFd + ?Sized>(&mut self, fd: &'a F, events: PollEvents) -> Token {
        self.register(Pollable::Fd(fd.as_fd()), events)
    }

    /// Where `token`'s registration is, or [`Error::InvalidArgument`] for a token this
    /// poller does not hold.
    fn position(&self, token: Token) -> Result<usize> {
        let slot = self
            .slots
            .get(token.index as usize)
            .filter(|slot| token.poller == self.id && slot.generation == token.generation);
        slot.and_then(|slot| slot.position).ok_or_else(|| {
            Error::InvalidArgument(Detail::new(
                "a poll token this Poller does not hold (removed, or from another Poller)",
            ))
        })
    }

    /// Waits for `events` on `token`'s target from the next poll on (what it is interested
    /// in; what it is ready for is [`Readiness::events`]). [`Error::InvalidArgument`] for a
    /// token that was removed or is another poller's.
    pub fn set_interest(&mut self, token: Token, events: PollEvents) -> Result<()> {
        let position = self.position(token)?;
        self.items[position].events = events.bits();
        Ok(())
    }

    /// The events `token` waits for (its interest, as given to [`Poller::add`] or
    /// [`Poller::set_interest`]). [`Error::InvalidArgument`] for a token that was removed or
    /// is another poller's.
    pub fn interest(&self, token: Token) -> Result<PollEvents> {
        let position = self.position(token)?;
        Ok(PollEvents::from_bits(self.items[position].events))
    }

    /// Stops polling `token`'s target (it stays borrowed until the poller is dropped: a
    /// borrow cannot end early). [`Error::InvalidArgument`] for a token that was removed or
    /// is another poller's.
    pub fn remove(&mut self, token: Token) -> Result<()> {
        let position = self.position(token)?;
        self.items.remove(position);
        self.owners.remove(position);
        let slot = &mut self.slots[token.index as usize];
        slot.position = None;
        // The slot comes back under a new generation, so the removed token stays unknown;
        // one whose generations are all used up is retired.
        if let Some(next) = slot.generation.checked_add(1) {
            slot.generation = next;
            self.free.push(token.index);
        }
        for &owner in &self.owners[position..] {
            if let Some(p) = &mut self.slots[owner as usize].position {
                *p -= 1;
            }
        }
        self.ready = 0;
        for item in &mut self.items {
            item.revents = 0;
        }
        Ok(())
    }

    /// Whether `token` is registered here.
    pub fn contains(&self, token: Token) -> bool {
        self.position(token).is_ok()
    }

    /// How many targets are registered.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Waits until at least one registered target is ready for its events, or `timeout`
    /// passes (`None`: no limit; `Some(Duration::ZERO)`: just look), and says which are
    /// ([`Readiness`]; empty when the time ran out). A signal does not cut the wait short: EINTR
    /// is retried with the time left. A poller with nothing registered sleeps for `timeout`,
    /// and refuses to wait for ever ([`Error::InvalidArgument`]).
    ///
    /// Readiness of a socket is a level: a readable socket stays readable until what it
    /// holds is received. The context's shutdown ends the wait with [`Error::Terminated`].
    ///
    /// Wraps `zmq_poll` ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
    pub fn poll(&mut self, timeout: Option<Duration>) -> Result<Readiness<'_>> {
        self.ready = 0;
        // SAFETY: every item was made from a target borrowed for 'a, which outlives self:
        // its socket is alive, and used by no other thread (sockets are !Sync, and the
        // borrow keeps this poller on the thread that holds them); its fd is open.
        self.ready = unsafe { poll_items(&mut self.items, timeout)? };
        Ok(Readiness { poller: self })
    }
}

/// The answer of [`Poller::poll`]: which registrations are ready, and for what. It borrows
/// the poller until it is dropped.
pub struct Readiness<'p> {
    poller: &'p Poller<'p>,
}

impl fmt::Debug for Readiness<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'p> Readiness<'p> {
    /// What `token`'s target is ready for (`PollEvents::NONE` when nothing, or when the
    /// token is not the poller's).
    pub fn events(&self, token: Token) -> PollEvents {
        match self.poller.position(token) {
            Ok(position) => PollEvents::from_bits(self.poller.items[position].revents),
            Err(_) => PollEvents::NONE,
        }
    }

    /// Whether `token`'s target can receive without waiting (`ZMQ_POLLIN`).
    pub fn is_readable(&self, token: Token) -> bool {
        self.events(token).contains(PollEvents::IN)
    }

    /// Whether `token`'s target can send without waiting (`ZMQ_POLLOUT`).
    pub fn is_writable(&self, token: Token) -> bool {
        self.events(token).contains(PollEvents::OUT)
    }

    /// How many registrations are ready.
    pub fn len(&self) -> usize {
        self.poller.ready
    }

    /// Whether none is (the time ran out).
    pub fn is_empty(&self) -> bool {
        self.poller.ready == 0
    }

    /// The ready registrations and what each is ready for, in the order they were added.
    pub fn iter(&self) -> ReadinessIter<'p> {
        ReadinessIter {
            poller: self.poller,
            next: 0,
        }
    }
}

impl<'p> IntoIterator for Readiness<'p> {
    type Item = (Token, PollEvents);
    type IntoIter = ReadinessIter<'p>;

    fn into_iter(self) -> ReadinessIter<'p> {
        self.iter()
    }
}

impl<'p> IntoIterator for &Readiness<'p> {
    type Item = (Token, PollEvents);
    type IntoIter = ReadinessIter<'p>;

    fn into_iter(self) -> ReadinessIter<'p> {
        self.iter()
    }
}

/// The ready `(token, events)` of a [`Readiness`], in the order they were added.
#[derive(Debug, Clone)]
pub struct ReadinessIter<'p> {
    poller: &'p Poller<'p>,
    next: usize,
}

impl Iterator for ReadinessIter<'_> {
    type Item = (Token, PollEvents);

    fn next(&mut self) -> Option<(Token, PollEvents)> {
        let poller = self.poller;
        while let Some(item) = poller.items.get(self.next) {
            let index = poller.owners[self.next];
            self.next += 1;
            if item.revents != 0 {
                let token = Token {
                    poller: poller.id,
                    index,
                    generation: poller.slots[index as usize].generation,
                };
                return Some((token, PollEvents::from_bits(item.revents)));
            }
        }
        None
    }
}
