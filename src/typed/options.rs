//! The options of some socket types only, on the dynamic [`Socket`] and on the typed socket
//! of each type that accepts them: the groups of the option table (`src/options/table.rs`)
//! that are not on `SocketCore`, expanded here, where every socket type is in scope.

use crate::options::{option_table, Bool};
use crate::socket::Socket;
use crate::typed::{Dealer, Pub, Pull, Push, Req, Router, Stream, Sub, XPub, XSub};

option_table!(typed);
