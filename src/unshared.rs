//! `Unshared`: a value reachable only by value or through `&mut`, never through `&`, so that
//! an error carrying a socket or a message (neither `Sync`) can itself be `Sync`, as
//! `anyhow` and `Box<dyn Error + Send + Sync>` require. The idea of the unstable
//! `std::sync::Exclusive`.

/// See the module docs. Deliberately without `Deref`, `AsRef` or any `&self` accessor.
pub(crate) struct Unshared<T>(T);

// SAFETY: no method of Unshared hands out a `&T` from a `&Unshared<T>`: the value is only
// reachable by moving it out (`into_inner`). So a `&Unshared<T>` in several threads gives
// none of them access to the T, whatever T's own Sync is. Its holders (SendError, Failed)
// keep it private and add no such accessor either.
unsafe impl<T> Sync for Unshared<T> {}

impl<T> Unshared<T> {
    pub(crate) fn new(value: T) -> Unshared<T> {
        Unshared(value)
    }

    pub(crate) fn into_inner(self) -> T {
        self.0
    }
}
