//! A reader and writer of ZPL, the ZeroMQ Property Language (RFC 4), in which czmq and pyzmq
//! store CURVE certificates.
//!
//! What is read: `#` comments (whole lines, or after a name or value), blank lines, 4 spaces
//! of indentation per level (a tab anywhere outside a quoted value is an error), `name`,
//! `name = value` with the value quoted (`"..."` or `'...'`, no escapes) or unquoted (up to
//! a `#` or the end of the line, spaces inside kept as pyzmq writes them), names from RFC 4's alphabet (letters, digits and `$-_@.&+/`). Any of LF,
//! CRLF and CR ends a line; spaces at the end of a line, and a byte order mark at the start of
//! the text, are ignored. Errors name the line.
//!
//! Limits, so that a hostile file cannot blow up memory or the stack: [`MAX_SIZE`] bytes and
//! [`MAX_DEPTH`] levels. Values are wiped from memory when a tree is dropped, and so are the
//! buffers the reader and the writer work in: certificates hold secret keys.

use std::fmt;

use zeroize::{Zeroize, Zeroizing};

/// The largest ZPL text read (certificates are a few hundred bytes).
pub(crate) const MAX_SIZE: usize = 64 * 1024;

/// The deepest nesting read (certificates use 2 levels).
pub(crate) const MAX_DEPTH: usize = 16;

/// One property: a name, maybe a value, and the properties under it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Node {
    /// The name.
    pub(crate) name: String,
    /// The value, if the line had `=`.
    pub(crate) value: Option<String>,
    /// The properties indented under this one, in file order.
    pub(crate) children: Vec<Node>,
    /// The line it was read from (1-based; 0 for a node built in code).
    pub(crate) line: usize,
}

impl Node {
    /// A property built in code.
    pub(crate) fn new(name: &str, value: Option<&str>) -> Node {
        Node {
            name: name.to_string(),
            value: value.map(str::to_string),
            children: Vec::new(),
            line: 0,
        }
    }

    /// The first child called `name`.
    #[cfg(test)]
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(value) = &mut self.value {
            value.zeroize();
        }
    }
}

impl fmt::Debug for Node {
    /// Values are not shown: they may be secret keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node")
            .field("name", &self.name)
            .field("has_value", &self.value.is_some())
            .field("children", &self.children)
            .field("line", &self.line)
            .finish()
    }
}

/// What is wrong with a ZPL text, and on which line (0: the text as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ZplError {
    /// The 1-based line, or 0.
    pub(crate) line: usize,
    /// What is wrong, in words.
    pub(crate) reason: String,
}

impl fmt::Display for ZplError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.reason)
        } else {
            write!(f, "line {}: {}", self.line, self.reason)
        }
    }
}

fn fail<T>(line: usize, reason: impl Into<String>) -> Result<T, ZplError> {
    Err(ZplError {
        line,
        reason: reason.into(),
    })
}

/// Whether `c` may appear in a property name (RFC 4).
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "$-_@.&+/".contains(c)
}

/// Checks a name for writing: not empty, only RFC 4's characters.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a ZPL name cannot be empty".into());
    }
    if let Some(c) = name.chars().find(|&c| !is_name_char(c)) {
        return Err(format!(
            "{c:?} cannot appear in a ZPL name (letters, digits and $-_@.&+/ only)"
        ));
    }
    Ok(())
}

/// Checks a value for writing: one line, and not holding both kinds of quote (ZPL has no
/// escapes).
pub(crate) fn check_value(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| c.is_control() && *c != '\t') {
        return Err(format!(
            "a ZPL value cannot hold the control character {c:?}"
        ));
    }
    if value.contains('"') && value.contains('\'') {
        return Err("a ZPL value cannot hold both kinds of quote (ZPL has no escapes)".into());
    }
    Ok(())
}

/// Reads a whole ZPL text into its top-level properties.
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<Node>, ZplError> {
    if bytes.len() > MAX_SIZE {
        return fail(
            0,
            format!(
                "{} bytes is more than the {MAX_SIZE} bytes a ZPL file may have here",
                bytes.len()
            ),
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = 1 + bytes
                .get(..e.valid_up_to())
                .map_or(0, |b| b.iter().filter(|&&b| b == b'\n').count());
            return fail(line, "not text (a byte sequence that is not UTF-8)");
        }
    };
    // CRLF is one line end; then CR and LF each end a line.
    // A byte order mark, as some editors write, is not part of the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Built in place (a growing string would leave unwiped copies behind).
    let mut normal = Zeroizing::new(String::with_capacity(text.len()));
    let mut rest = text;
    while let Some(i) = rest.find("\r\n") {
        normal.push_str(&rest[..i]);
        normal.push('\n');
        rest = &rest[i + 2..];
    }
    normal.push_str(rest);
    let text = normal;
    let mut roots: Vec<Node> = Vec::new();
    // The chain of open properties, outermost first: a line at level L closes all but L.
    let mut open: Vec<Node> = Vec::new();
    for (i, raw) in text.split(['\n', '\r']).enumerate() {
        let number = i + 1;
        let Some((level, node)) = parse_line(raw, number)? else {
            continue;
        };
        if level > open.len() {
            return fail(
                number,
                format!(
                    "indented {} levels, but the property before is at level {} (one level deeper at most)",
                    level,
                    open.len().saturating_sub(1)
                ),
            );
        }
        if level >= MAX_DEPTH {
            return fail(
                number,
                format!("nested deeper than the {MAX_DEPTH} levels read here"),
            );
        }
        close_to(&mut open, &mut roots, level);
        open.push(node);
    }
    close_to(&mut open, &mut roots, 0);
    Ok(roots)
}

/// Closes open properties until `level` remain, attaching each to its parent.
fn close_to(open: &mut Vec<Node>, roots: &mut Vec<Node>, level: usize) {
    while open.len() > level {
        let Some(node) = open.pop() else { return };
        match open.last_mut() {
            Some(parent) => parent.children.push(node),
            None => roots.push(node),
        }
    }
}

/// One line: `None` when blank or a comment, else its level and property.
fn parse_line(raw: &str, number: usize) -> Result<Option<(usize, Node)>, ZplError> {
    let line = raw.trim_end_matches(' ');
    let body = line.trim_start_matches(' ');
    let indent = line.len() - body.len();
    if body.is_empty() || body.starts_with('#') {
        return Ok(None);
    }
    if body.starts_with('\t') {
        return fail(
            number,
            "a tab in the indentation (ZPL indents with 4 spaces per level)",
        );
    }
    if indent % 4 != 0 {
        return fail(
            number,
            format!("indented {indent} spaces, not a multiple of 4"),
        );
    }
    if let Some(c) = body.chars().find(|c| c.is_control() && *c != '\t') {
        return fail(number, format!("the control character {c:?}"));
    }
    let name_len = body.find(|c: char| !is_name_char(c)).unwrap_or(body.len());
    let (name, rest) = body.split_at(name_len);
    if name.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        return fail(
            number,
            format!("expected a name, found {c:?} (names are letters, digits and $-_@.&+/)"),
        );
    }
    let rest = rest.trim_start_matches(' ');
    let mut node = Node {
        name: name.to_string(),
        value: None,
        children: Vec::new(),
        line: number,
    };
    let after = if let Some(value_text) = rest.strip_prefix('=') {
        let value_text = value_text.trim_start_matches(' ');
        let (value, after) = parse_value(value_text, name, number)?;
        node.value = Some(value);
        after
    } else {
        rest
    };
    let after = after.trim_start_matches(' ');
    if after.is_empty() || after.starts_with('#') {
        return Ok(Some((indent / 4, node)));
    }
    let c = after.chars().next().unwrap_or(' ');
    if c == '\t' {
        return fail(number, "a tab character (ZPL uses spaces)");
    }
    if node.value.is_some() {
        fail(
            number,
            format!("unexpected {c:?} after the value of `{name}` (past its closing quote)"),
        )
    } else {
        fail(
            number,
            format!(
                "{c:?} cannot appear in a name (letters, digits and $-_@.&+/ only) after `{name}`"
            ),
        )
    }
}

/// A value and what follows it on the line.
fn parse_value<'a>(
    text: &'a str,
    name: &str,
    number: usize,
) -> Result<(String, &'a str), ZplError> {
    if let Some(quote) = text.chars().next().filter(|&c| c == '"' || c == '\'') {
        let inner = &text[1..];
        let Some(end) = inner.find(quote) else {
            return fail(
                number,
                format!("unclosed quote ({quote}) in the value of `{name}`"),
            );
        };
        return Ok((inner[..end].to_string(), &inner[end + 1..]));
    }
    // RFC 4 ends an unquoted value at a space; pyzmq writes metadata values unquoted, spaces
    // and all (`name = my server`), so here it runs to a comment or the end of the line.
    let end = text.find(['#', '\t']).unwrap_or(text.len());
    let value = text[..end].trim_end_matches(' ');
    if value.contains(['"', '\'']) {
        return fail(
            number,
            format!("a quote inside the unquoted value of `{name}`"),
        );
    }
    Ok((value.to_string(), &text[end..]))
}

/// Writes `comments` (each as a `#   ` line), an empty line, then `nodes`, in a buffer wiped
/// on drop. Names and values must pass [`check_name`] and [`check_value`].
pub(crate) fn write(comments: &[&str], nodes: &[Node]) -> Result<Zeroizing<String>, String> {
    // Room for everything up front: a reallocation would leave an unwiped copy behind.
    let mut room = 1 + comments.iter().map(|c| c.len() + 8).sum::<usize>();
    size(nodes, 0, &mut room)?;
    let mut out = Zeroizing::new(String::with_capacity(room));
    for comment in comments {
        check_value(comment)?;
        out.push_str("#   ");
        out.push_str(comment);
        out.push('\n');
    }
    if !comments.is_empty() {
        out.push('\n');
    }
    write_nodes(&mut out, nodes, 0);
    Ok(out)
}

fn size(nodes: &[Node], level: usize, room: &mut usize) -> Result<(), String> {
    if level >= MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    for node in nodes {
        check_name(&node.name)?;
        if let Some(value) = &node.value {
            check_value(value)?;
        }
        *room += 4 * level + node.name.len() + node.value.as_ref().map_or(0, String::len) + 8;
        size(&node.children, level + 1, room)?;
    }
    Ok(())
}

fn write_nodes(out: &mut String, nodes: &[Node], level: usize) {
    for node in nodes {
        for _ in 0..level {
            out.push_str("    ");
        }
        out.push_str(&node.name);
        if let Some(value) = &node.value {
            let quote = if value.contains('"') { '\'' } else { '"' };
            out.push_str(" = ");
            out.push(quote);
            out.push_str(value);
            out.push(quote);
        }
        out.push('\n');
        write_nodes(out, &node.children, level + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ZplError {
        match parse(text.as_bytes()) {
            Err(e) => e,
            Ok(nodes) => panic!("{text:?} parsed: {nodes:?}"),
        }
    }

    #[test]
    fn reads_the_rfc_shapes() {
        let text = "# head\n\ncontext\n    iothreads = 1\n    verbose = 1      #   trace\n\nmain\n    type = zmq_queue\n    frontend\n        option\n            subscribe = \"#2\"\n            other = 'a \"b\"'\n        bind = tcp://eth0:5555\n    backend   \n";
        let nodes = parse(text.as_bytes()).unwrap();
        assert_eq!(nodes.len(), 2);
        let context = &nodes[0];
        assert_eq!(context.name, "context");
        assert_eq!(context.value, None);
        assert_eq!(
            context.child("verbose").unwrap().value.as_deref(),
            Some("1")
        );
        let main = &nodes[1];
        let option = main.child("frontend").unwrap().child("option").unwrap();
        assert_eq!(
            option.child("subscribe").unwrap().value.as_deref(),
            Some("#2")
        );
        assert_eq!(
            option.child("other").unwrap().value.as_deref(),
            Some("a \"b\"")
        );
        assert_eq!(
            main.child("frontend")
                .unwrap()
                .child("bind")
                .unwrap()
                .value
                .as_deref(),
            Some("tcp://eth0:5555")
        );
        assert_eq!(main.child("backend").unwrap().line, 14);
        // CRLF and CR are line ends too, with the same line numbers.
        let crlf = text.replace('\n', "\r\n");
        assert_eq!(parse(crlf.as_bytes()).unwrap(), nodes);
        let cr = text.replace('\n', "\r");
        assert_eq!(parse(cr.as_bytes()).unwrap(), nodes);
        let bom = format!("\u{feff}{text}");
        assert_eq!(parse(bom.as_bytes()).unwrap(), nodes);
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let e = err("a\n   b = 1\n");
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("3 spaces"), "{e}");
        let e = err("a\n\tb = 1\n");
        assert!(e.reason.contains("tab"), "{e}");
        let e = err("a\n    b =\t1\n");
        assert!(e.reason.contains("tab"), "{e}");
        let e = err("a\n        b = 1\n");
        assert!(e.reason.contains("one level deeper at most"), "{e}");
        let e = err("a\n    b = \"open\n");
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("unclosed quote"), "{e}");
        let e = err("public key = \"x\"\n");
        assert!(e.reason.contains("'k'"), "{e}");
        // pyzmq's unquoted metadata values keep their spaces.
        let nodes = parse(b"a = one two  # note\nb = x\"y\n").unwrap_err();
        assert!(nodes.reason.contains("a quote inside"), "{nodes}");
        let nodes = parse(b"a = one two  # note\n").unwrap();
        assert_eq!(nodes[0].value.as_deref(), Some("one two"));
        let e = err("*name\n");
        assert!(e.reason.contains("expected a name"), "{e}");
        let e = err("a = \"x\" y\n");
        assert!(e.reason.contains("after the value"), "{e}");
        let e = err("a\0b\n");
        assert!(e.reason.contains("control"), "{e}");
        let e = parse(b"a\nb = \xff\xfe\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.contains("UTF-8"), "{e}");
        let big = vec![b'#'; MAX_SIZE + 1];
        assert!(parse(&big).unwrap_err().reason.contains("more than"));
        let mut deep = String::new();
        for level in 0..=MAX_DEPTH {
            deep.push_str(&" ".repeat(4 * level));
            deep.push_str("n\n");
        }
        assert!(err(&deep).reason.contains("deeper than"));
    }

    #[test]
    fn writes_what_it_reads() {
        let mut meta = Node::new("metadata", None);
        meta.children.push(Node::new("name", Some("it's")));
        meta.children.push(Node::new("say", Some("\"hi\"")));
        let mut curve = Node::new("curve", None);
        curve
            .children
            .push(Node::new("public-key", Some("abc#def")));
        let text = write(&["one", "two"], &[meta, curve]).unwrap();
        assert!(
            text.starts_with("#   one\n#   two\n\nmetadata\n    name = \"it's\"\n"),
            "{}",
            *text
        );
        let back = parse(text.as_bytes()).unwrap();
        assert_eq!(
            back[0].child("name").unwrap().value.as_deref(),
            Some("it's")
        );
        assert_eq!(
            back[0].child("say").unwrap().value.as_deref(),
            Some("\"hi\"")
        );
        assert_eq!(
            back[1].child("public-key").unwrap().value.as_deref(),
            Some("abc#def")
        );
        assert!(write(&[], &[Node::new("bad name", None)]).is_err());
        assert!(write(&[], &[Node::new("n", Some("both ' \""))]).is_err());
        assert!(write(&[], &[Node::new("n", Some("two\nlines"))]).is_err());
    }
}
