//! SKELETON: the ZPL reader and writer (RFC 4) that certificates are stored in.
