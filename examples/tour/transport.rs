//! The transports the tour runs each pattern over, and the endpoints each one uses.

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// The longest path a Unix domain socket takes (`sun_path` less its NUL).
const IPC_PATH_MAX: usize = 107;

/// Numbers the ipc files and multicast ports of this process.
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A transport the tour runs a pattern over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Between threads of this process: no network, no handshake, fastest.
    Inproc,
    /// Unix domain sockets: between processes of one machine.
    Ipc,
    /// TCP on the loopback, on ports the system picks (`tcp://127.0.0.1:*`).
    Tcp,
    /// Multicast (PGM over UDP) on the loopback: one-to-many, PUB/SUB only.
    Epgm,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transport::Inproc => "inproc",
            Transport::Ipc => "ipc",
            Transport::Tcp => "tcp",
            Transport::Epgm => "epgm",
        })
    }
}

/// Makes the endpoints of one run: where a socket binds. The peers connect to what the bind
/// returned (`last_endpoint`), which for tcp carries the port the system picked.
pub struct Endpoints {
    transport: Transport,
    /// A prefix unique to this run, so that runs never share an inproc name.
    tag: String,
    /// The ipc files made, removed when the run ends.
    files: Vec<PathBuf>,
}

impl Endpoints {
    /// Endpoints for the run named `tag` over `transport`.
    pub fn new(transport: Transport, tag: &str) -> Endpoints {
        Endpoints {
            transport,
            tag: format!("zmq-tour-{}-{tag}", std::process::id()),
            files: Vec::new(),
        }
    }

    /// Where a socket named `role` binds.
    pub fn bind(&mut self, role: &str) -> String {
        match self.transport {
            Transport::Inproc => format!("inproc://{}-{role}", self.tag),
            Transport::Ipc => {
                // Short names (the role is in the inproc names only), so that a long TMPDIR
                // still fits the 107 bytes of a Unix socket path; past that, /tmp.
                let n = NEXT.fetch_add(1, Ordering::Relaxed);
                let name = format!("zt{}-{n}.ipc", std::process::id());
                let mut path = std::env::temp_dir().join(&name);
                if path.as_os_str().len() > IPC_PATH_MAX {
                    path = PathBuf::from("/tmp").join(&name);
                }
                let endpoint = format!("ipc://{}", path.display());
                self.files.push(path);
                endpoint
            }
            Transport::Tcp => "tcp://127.0.0.1:*".to_string(),
            // One group and port per role and per process (two tours at once must not hear
            // each other); PGM's port is the group's, so it cannot be `*`.
            Transport::Epgm => {
                let n = NEXT.fetch_add(1, Ordering::Relaxed) % 5_000;
                let pid = std::process::id();
                let port = 40_000 + (pid % 20_000) + n;
                format!(
                    "epgm://127.0.0.1;239.193.{}.{}:{port}",
                    (pid >> 8) & 0xff,
                    pid & 0xff
                )
            }
        }
    }
}

impl Drop for Endpoints {
    fn drop(&mut self) {
        for file in &self.files {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// What may keep multicast from this machine's loopback, as a hint for a skipped multicast
/// row: `lo` lacks the MULTICAST flag, or no route sends 224.0.0.0/4 there. (Only a hint:
/// whether multicast arrives is what the row itself finds out.)
pub fn multicast_on_loopback() -> Result<(), String> {
    const IFF_MULTICAST: u32 = 0x1000;
    let flags = std::fs::read_to_string("/sys/class/net/lo/flags")
        .ok()
        .and_then(|s| u32::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok())
        .unwrap_or(0);
    if flags & IFF_MULTICAST == 0 {
        return Err("the loopback has no MULTICAST flag".into());
    }
    // /proc/net/route: destination and mask in little-endian hex; 224.0.0.0/4 on lo.
    let routes = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    let routed = routes.lines().skip(1).any(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        f.len() > 7 && f[0] == "lo" && f[1] == "000000E0" && f[7] == "000000F0"
    });
    if !routed {
        return Err("no route sends 224.0.0.0/4 to the loopback".into());
    }
    Ok(())
}
