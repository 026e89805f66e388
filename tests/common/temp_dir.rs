//! A folder of a test's own under the system's temporary folder, removed with everything in
//! it when the test ends (passed or failed).

use std::path::{Path, PathBuf};

/// A fresh, empty folder named after the test process and `tag`; removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// Makes (or empties) `$TMPDIR/zmq-typed-<pid>-<tag>`.
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("zmq-typed-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot make {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// `name` inside the folder.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
