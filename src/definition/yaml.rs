//! A small, bounded YAML loader on top of `saphyr-parser`'s event stream.
//!
//! Why not a serde YAML crate: definition files need every value's line and column (for
//! `path:line:col` diagnostics), duplicate keys must be errors, and untrusted input needs
//! hard limits on nesting depth and on alias expansion (a "billion laughs" file must fail in
//! microseconds, not eat the machine). The event parser gives positions; this module builds
//! a tree of [`Node`]s under a [`Limits`] budget.
//!
//! Scalars are resolved with the YAML 1.2 core schema: `yes`/`no`/`on`/`off` are strings,
//! only `true`/`false` are booleans.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Budgets that bound the work and memory of loading one YAML text.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Nodes in the loaded tree, counting every node an alias copies.
    pub max_nodes: usize,
    /// Bytes of scalar text in the loaded tree, counting every copy an alias makes.
    pub max_scalar_bytes: usize,
}

impl Limits {
    /// Limits for one definition's frontmatter.
    pub const DEFINITION: Limits = Limits {
        max_depth: 64,
        max_nodes: 100_000,
        max_scalar_bytes: 4 * 1024 * 1024,
    };
    /// Limits for a Kubernetes manifest file holding many definitions.
    pub const MANIFEST: Limits = Limits {
        max_depth: 64,
        max_nodes: 1_000_000,
        max_scalar_bytes: 64 * 1024 * 1024,
    };
}

/// A position in the YAML text; both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            col: span.start.col() + 1,
        }
    }
}

/// One loaded YAML value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Every integer JSON keeps exactly: from `i64::MIN` to `u64::MAX` (others are refused).
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in file order: key, the key's position, value.
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

/// A YAML error: where it is, and what (just's `CompileError { token, kind }`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct YamlError {
    pub pos: Pos,
    pub kind: YamlErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YamlErrorKind {
    #[error("invalid YAML: {message}")]
    Syntax { message: String },
    #[error("duplicate key `{key}` (first defined on line {first_line})")]
    DuplicateKey { key: String, first_line: usize },
    #[error("YAML nesting deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("YAML expands to more than {limit} nodes (alias expansion limit)")]
    TooManyNodes { limit: usize },
    #[error("YAML expands to more than {limit} bytes of text (alias expansion limit)")]
    TooMuchText { limit: usize },
    #[error("mapping keys must be scalars")]
    ComplexKey,
    #[error("unsupported YAML tag `{tag}`")]
    UnsupportedTag { tag: String },
    #[error("`{text}` is not a valid {kind}")]
    BadTaggedScalar { text: String, kind: &'static str },
    #[error("`{text}` cannot be represented in JSON")]
    NotJson { text: String },
    #[error(
        "integer `{text}` is out of range (integers from -9223372036854775808 to 18446744073709551615 are kept exactly)"
    )]
    IntegerOutOfRange { text: String },
}

impl YamlError {
    pub fn at(pos: Pos, kind: YamlErrorKind) -> YamlError {
        YamlError { pos, kind }
    }

    /// The same error for YAML that starts on line `first_line` of a larger file.
    pub fn shifted(mut self, first_line: usize) -> YamlError {
        let delta = first_line - 1;
        if let YamlErrorKind::DuplicateKey { first_line, .. } = &mut self.kind {
            *first_line += delta;
        }
        self.pos.line += delta;
        self
    }

    pub fn pos(&self) -> Pos {
        self.pos
    }
}

/// Loads every document of a YAML stream. An empty stream yields no documents.
pub fn load_all(text: &str, limits: Limits) -> Result<Vec<Node>, YamlError> {
    Loader::new(limits).run(text)
}

/// Loads a text that must hold at most one document; an empty text is `Null`.
pub fn load_one(text: &str, limits: Limits) -> Result<Node, YamlError> {
    let mut docs = load_all(text, limits)?;
    if docs.len() > 1 {
        return Err(YamlError::at(
            docs[1].pos,
            YamlErrorKind::Syntax {
                message: "expected one YAML document, found several".into(),
            },
        ));
    }
    Ok(docs.pop().unwrap_or(Node {
        value: Value::Null,
        pos: Pos { line: 1, col: 1 },
    }))
}

/// Cost of a subtree, charged again every time an alias copies it.
#[derive(Debug, Clone, Copy, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
}

enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
        cost: Cost,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        seen: HashSet<String>,
        key: Option<(String, Pos)>,
        cost: Cost,
    },
}

struct Loader {
    limits: Limits,
    used: Cost,
    anchors: HashMap<usize, (Node, Cost)>,
    stack: Vec<Frame>,
    docs: Vec<Node>,
}

impl Loader {
    fn new(limits: Limits) -> Self {
        Loader {
            limits,
            used: Cost::default(),
            anchors: HashMap::new(),
            stack: Vec::new(),
            docs: Vec::new(),
        }
    }

    fn run(mut self, text: &str) -> Result<Vec<Node>, YamlError> {
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| {
                YamlError::at(
                    Pos {
                        line: e.marker().line(),
                        col: e.marker().col() + 1,
                    },
                    YamlErrorKind::Syntax {
                        message: e.info().to_string(),
                    },
                )
            })?;
            let pos = Pos::of(&span);
            match event {
                Event::Nothing
                | Event::StreamStart
                | Event::StreamEnd
                | Event::DocumentStart(_)
                | Event::DocumentEnd => {}
                Event::Alias(id) => {
                    let (node, cost) = self.anchors.get(&id).cloned().ok_or_else(|| {
                        YamlError::at(
                            pos,
                            YamlErrorKind::Syntax {
                                message: "alias refers to an unknown anchor".into(),
                            },
                        )
                    })?;
                    self.charge(cost, pos)?;
                    let node = Node { pos, ..node };
                    self.complete(node, cost)?;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let value = resolve_scalar(&text, style, tag.as_deref(), pos)?;
                    let cost = Cost {
                        nodes: 1,
                        bytes: text.len(),
                    };
                    self.charge(cost, pos)?;
                    let node = Node { value, pos };
                    if anchor != 0 {
                        self.anchors.insert(anchor, (node.clone(), cost));
                    }
                    self.complete(node, cost)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    check_collection_tag(tag.as_deref(), "seq", pos)?;
                    self.open(
                        Frame::Seq {
                            pos,
                            anchor,
                            items: Vec::new(),
                            cost: Cost::default(),
                        },
                        pos,
                    )?;
                }
                Event::MappingStart(anchor, tag) => {
                    check_collection_tag(tag.as_deref(), "map", pos)?;
                    self.open(
                        Frame::Map {
                            pos,
                            anchor,
                            entries: Vec::new(),
                            seen: HashSet::new(),
                            key: None,
                            cost: Cost::default(),
                        },
                        pos,
                    )?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let frame = self.stack.pop().expect("parser balances collections");
                    let (node, anchor, cost) = match frame {
                        Frame::Seq {
                            pos,
                            anchor,
                            items,
                            cost,
                        } => (
                            Node {
                                value: Value::Seq(items),
                                pos,
                            },
                            anchor,
                            cost,
                        ),
                        Frame::Map {
                            pos,
                            anchor,
                            entries,
                            cost,
                            ..
                        } => (
                            Node {
                                value: Value::Map(entries),
                                pos,
                            },
                            anchor,
                            cost,
                        ),
                    };
                    let cost = Cost {
                        nodes: cost.nodes + 1,
                        bytes: cost.bytes,
                    };
                    if anchor != 0 {
                        self.anchors.insert(anchor, (node.clone(), cost));
                    }
                    self.complete(node, cost)?;
                }
            }
        }
        Ok(self.docs)
    }

    fn open(&mut self, frame: Frame, pos: Pos) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError::at(
                pos,
                YamlErrorKind::TooDeep {
                    limit: self.limits.max_depth,
                },
            ));
        }
        self.charge(Cost { nodes: 1, bytes: 0 }, pos)?;
        self.stack.push(frame);
        Ok(())
    }

    fn charge(&mut self, cost: Cost, pos: Pos) -> Result<(), YamlError> {
        self.used.nodes += cost.nodes;
        self.used.bytes += cost.bytes;
        if self.used.nodes > self.limits.max_nodes {
            return Err(YamlError::at(
                pos,
                YamlErrorKind::TooManyNodes {
                    limit: self.limits.max_nodes,
                },
            ));
        }
        if self.used.bytes > self.limits.max_scalar_bytes {
            return Err(YamlError::at(
                pos,
                YamlErrorKind::TooMuchText {
                    limit: self.limits.max_scalar_bytes,
                },
            ));
        }
        Ok(())
    }

    /// Hands a finished node to the collection being built, or ends a document.
    fn complete(&mut self, node: Node, cost: Cost) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq {
                items, cost: acc, ..
            }) => {
                acc.nodes += cost.nodes;
                acc.bytes += cost.bytes;
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                seen,
                key,
                cost: acc,
                ..
            }) => {
                acc.nodes += cost.nodes;
                acc.bytes += cost.bytes;
                match key.take() {
                    None => {
                        let text = scalar_key(&node)?;
                        if !seen.insert(text.clone()) {
                            let first_line = entries
                                .iter()
                                .find(|e| e.key == text)
                                .map_or(0, |e| e.key_pos.line);
                            return Err(YamlError::at(
                                node.pos,
                                YamlErrorKind::DuplicateKey {
                                    key: text,
                                    first_line,
                                },
                            ));
                        }
                        *key = Some((text, node.pos));
                    }
                    Some((text, key_pos)) => entries.push(Entry {
                        key: text,
                        key_pos,
                        value: node,
                    }),
                }
            }
        }
        Ok(())
    }
}

fn scalar_key(node: &Node) -> Result<String, YamlError> {
    Ok(match &node.value {
        Value::Str(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Seq(_) | Value::Map(_) => {
            return Err(YamlError::at(node.pos, YamlErrorKind::ComplexKey));
        }
    })
}

fn check_collection_tag(
    tag: Option<&saphyr_parser::Tag>,
    expected: &str,
    pos: Pos,
) -> Result<(), YamlError> {
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema() && t.suffix == expected => Ok(()),
        Some(t) => Err(YamlError::at(
            pos,
            YamlErrorKind::UnsupportedTag {
                tag: format!("{}{}", t.handle, t.suffix),
            },
        )),
    }
}

/// Resolves a scalar with the YAML 1.2 core schema.
fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
    pos: Pos,
) -> Result<Value, YamlError> {
    if let Some(tag) = tag {
        if !tag.is_yaml_core_schema() {
            return Err(YamlError::at(
                pos,
                YamlErrorKind::UnsupportedTag {
                    tag: format!("{}{}", tag.handle, tag.suffix),
                },
            ));
        }
        let bad = |kind| {
            YamlError::at(
                pos,
                YamlErrorKind::BadTaggedScalar {
                    text: text.to_string(),
                    kind,
                },
            )
        };
        return match tag.suffix.as_str() {
            "str" => Ok(Value::Str(text.to_string())),
            "null" => parse_null(text).ok_or_else(|| bad("null")),
            "bool" => parse_bool(text).ok_or_else(|| bad("boolean")),
            "int" => parse_int(text, pos)?.ok_or_else(|| bad("integer")),
            "float" => parse_float(text, pos)?.ok_or_else(|| bad("float")),
            other => Err(YamlError::at(
                pos,
                YamlErrorKind::UnsupportedTag {
                    tag: format!("!!{other}"),
                },
            )),
        };
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::Str(text.to_string()));
    }
    if let Some(v) = parse_null(text).or_else(|| parse_bool(text)) {
        return Ok(v);
    }
    if let Some(v) = parse_int(text, pos)? {
        return Ok(v);
    }
    Ok(parse_float(text, pos)?.unwrap_or_else(|| Value::Str(text.to_string())))
}

fn parse_null(text: &str) -> Option<Value> {
    matches!(text, "" | "~" | "null" | "Null" | "NULL").then_some(Value::Null)
}

fn parse_bool(text: &str) -> Option<Value> {
    match text {
        "true" | "True" | "TRUE" => Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// Core-schema integers (decimal, `0o` octal, `0x` hex). An integer that JSON cannot keep
/// exactly is refused, never rounded to a float: `18446744073709551616` is an error, not
/// `18446744073709552000`.
fn parse_int(text: &str, pos: Pos) -> Result<Option<Value>, YamlError> {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let (digits, radix) = if let Some(oct) = text.strip_prefix("0o") {
        (oct, 8)
    } else if let Some(hex) = text.strip_prefix("0x") {
        (hex, 16)
    } else {
        (unsigned, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Ok(None);
    }
    let sign = if radix == 10 { sign } else { 1 };
    let value = i128::from_str_radix(digits, radix)
        .ok()
        .map(|n| sign * n)
        .filter(|n| (i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(n));
    match value {
        Some(n) => Ok(Some(Value::Int(n))),
        None => Err(YamlError::at(
            pos,
            YamlErrorKind::IntegerOutOfRange {
                text: text.to_string(),
            },
        )),
    }
}

/// Core-schema floats; `.inf` and `.nan` have no JSON form and are refused.
fn parse_float(text: &str, pos: Pos) -> Result<Option<Value>, YamlError> {
    let lower = text.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        ".inf" | "+.inf" | "-.inf" | ".nan" | "+.nan" | "-.nan"
    ) {
        return Err(YamlError::at(
            pos,
            YamlErrorKind::NotJson {
                text: text.to_string(),
            },
        ));
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = {
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac)
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    if !(mantissa_ok && exponent_ok && mantissa != ".") {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Some(Value::Float(f))),
        _ => Ok(None),
    }
}

impl Node {
    /// The value as JSON, keys in file order.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => match i64::try_from(*i) {
                Ok(n) => J::from(n),
                // In range by construction: up to `u64::MAX`.
                Err(_) => J::from(u64::try_from(*i).unwrap_or(u64::MAX)),
            },
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        load_one(text, Limits::DEFINITION).unwrap()
    }

    #[test]
    fn yaml_11_booleans_stay_strings() {
        let node = one("a: no\nb: on\nc: yes\nd: off\ne: true\nf: 'true'\n");
        let json = node.to_json();
        assert_eq!(json["a"], "no");
        assert_eq!(json["b"], "on");
        assert_eq!(json["c"], "yes");
        assert_eq!(json["d"], "off");
        assert_eq!(json["e"], true);
        assert_eq!(json["f"], "true");
    }

    #[test]
    fn core_schema_numbers_and_nulls() {
        let json =
            one("a: 12\nb: -3\nc: 0x1f\nd: 1.5\ne: ~\nf:\ng: 1e3\nh: 0755\ni: 1.2.3\n").to_json();
        assert_eq!(json["a"], 12);
        assert_eq!(json["b"], -3);
        assert_eq!(json["c"], 31);
        assert_eq!(json["d"], 1.5);
        assert!(json["e"].is_null());
        assert!(json["f"].is_null());
        assert_eq!(json["g"], 1000.0);
        assert_eq!(json["h"], 755);
        assert_eq!(json["i"], "1.2.3");
    }

    #[test]
    fn integers_are_exact_or_refused() {
        let json =
            one("a: 18446744073709551615\nb: -9223372036854775808\nc: 9223372036854775807\n")
                .to_json();
        assert_eq!(json["a"].as_u64(), Some(u64::MAX));
        assert_eq!(json["b"].as_i64(), Some(i64::MIN));
        assert_eq!(json["c"].as_i64(), Some(i64::MAX));
        assert_eq!(
            json.to_string(),
            r#"{"a":18446744073709551615,"b":-9223372036854775808,"c":9223372036854775807}"#
        );
        for big in [
            "18446744073709551616",
            "-9223372036854775809",
            "99999999999999999999999999999999999999999",
        ] {
            let err = load_one(&format!("x: {big}\n"), Limits::DEFINITION).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "integer `{big}` is out of range (integers from -9223372036854775808 to 18446744073709551615 are kept exactly)"
                )
            );
        }
        // A float stays a float; quoted digits stay a string.
        assert_eq!(one("x: 1e30\n").to_json()["x"], 1e30);
        assert_eq!(
            one("x: '18446744073709551616'\n").to_json()["x"],
            "18446744073709551616"
        );
    }

    #[test]
    fn timestamps_are_strings() {
        let json = one("at: 2026-12-18T17:00:00+01:00\n").to_json();
        assert_eq!(json["at"], "2026-12-18T17:00:00+01:00");
    }

    #[test]
    fn positions_are_one_based() {
        let node = one("a: 1\nb:\n  c: x\n");
        let b = node.get("b").unwrap();
        assert_eq!(b.key_pos, Pos { line: 2, col: 1 });
        let c = b.value.get("c").unwrap();
        assert_eq!(c.key_pos, Pos { line: 3, col: 3 });
        assert_eq!(c.value.pos, Pos { line: 3, col: 6 });
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = load_one("a: 1\nb: 2\na: 3\n", Limits::DEFINITION).unwrap_err();
        assert_eq!(
            err,
            YamlError::at(
                Pos { line: 3, col: 1 },
                YamlErrorKind::DuplicateKey {
                    key: "a".into(),
                    first_line: 1
                }
            )
        );
    }

    #[test]
    fn nested_duplicate_keys_are_errors() {
        let err = load_one("t:\n  x: 1\n  x: 2\n", Limits::DEFINITION).unwrap_err();
        assert!(matches!(
            err,
            YamlError {
                pos: Pos { line: 3, col: 3 },
                ..
            }
        ));
    }

    #[test]
    fn aliases_expand_within_budget() {
        let json = one("base: &b {x: 1}\nother: *b\n").to_json();
        assert_eq!(json["other"]["x"], 1);
    }

    #[test]
    fn alias_bomb_is_refused_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let start = std::time::Instant::now();
        let err = load_one(&text, Limits::DEFINITION).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError {
                    kind: YamlErrorKind::TooManyNodes { .. },
                    ..
                }
            ),
            "{err:?}"
        );
        // Generous bound: the point is "not exponential", a real expansion would never end.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn long_string_alias_bomb_is_refused() {
        let big = "x".repeat(100_000);
        let mut text = format!("a: &a \"{big}\"\nl: [");
        for _ in 0..100 {
            text.push_str("*a, ");
        }
        text.push_str("]\n");
        let err = load_one(&text, Limits::DEFINITION).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError {
                    kind: YamlErrorKind::TooMuchText { .. },
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        let err = load_one(&text, Limits::DEFINITION).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError {
                    kind: YamlErrorKind::TooDeep { limit: 64, .. },
                    ..
                }
            ),
            "{err:?}"
        );
        // Far deeper input is stopped by the parser's own recursion guard.
        let text = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        assert!(load_one(&text, Limits::DEFINITION).is_err());
    }

    #[test]
    fn unknown_tags_are_refused() {
        let err = load_one("a: !custom x\n", Limits::DEFINITION).unwrap_err();
        assert!(
            matches!(
                err,
                YamlError {
                    kind: YamlErrorKind::UnsupportedTag { .. },
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(one("a: !!str 12\n").to_json()["a"], "12");
    }

    #[test]
    fn non_finite_floats_are_refused() {
        let err = load_one("a: .nan\n", Limits::DEFINITION).unwrap_err();
        assert!(matches!(
            err,
            YamlError {
                kind: YamlErrorKind::NotJson { .. },
                ..
            }
        ));
    }

    #[test]
    fn complex_keys_are_refused() {
        let err = load_one("? [a, b]\n: 1\n", Limits::DEFINITION).unwrap_err();
        assert!(matches!(
            err,
            YamlError {
                kind: YamlErrorKind::ComplexKey,
                ..
            }
        ));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = load_one("a: [1, 2\nb: 3\n", Limits::DEFINITION).unwrap_err();
        assert!(matches!(
            err,
            YamlError {
                kind: YamlErrorKind::Syntax { .. },
                ..
            }
        ));
        assert!(err.pos().line >= 1);
    }

    #[test]
    fn several_documents() {
        let docs = load_all("a: 1\n---\nb: 2\n", Limits::MANIFEST).unwrap();
        assert_eq!(docs.len(), 2);
        assert!(load_one("a: 1\n---\nb: 2\n", Limits::DEFINITION).is_err());
    }
}
