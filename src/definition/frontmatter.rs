//! Splits a markdown file into YAML frontmatter and body.
//!
//! Hand-written rather than `gray_matter`: that crate trims the frontmatter (which shifts
//! every line number a diagnostic points at), rebuilds the body line by line (so it is not
//! stored verbatim: CRLF and the final newline are lost), and parses the YAML eagerly with
//! its own engine, which has no alias or depth limits.

/// A file cut at its frontmatter delimiters.
#[derive(Debug, PartialEq, Eq)]
pub enum Split<'a> {
    /// The file does not start with a `---` line: not a definition.
    NoFrontmatter,
    Frontmatter {
        /// The YAML between the delimiter lines.
        yaml: &'a str,
        /// 1-based line of the file where `yaml` starts.
        first_line: usize,
        /// Everything after the closing delimiter line, verbatim.
        body: &'a str,
    },
}

/// The frontmatter was opened but never closed.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("frontmatter opened by `---` on line 1 is never closed")]
pub struct Unclosed;

pub fn split(text: &str) -> Result<Split<'_>, Unclosed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Ok(Split::NoFrontmatter);
    };
    if first.trim_end() != "---" {
        return Ok(Split::NoFrontmatter);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for line in lines {
        let content = line.trim_end();
        if content == "---" || content == "..." {
            return Ok(Split::Frontmatter {
                yaml: &text[yaml_start..offset],
                first_line: 2,
                body: &text[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    Err(Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_body_verbatim() {
        let text = "---\na: 1\n---\nBody line\r\n\n---\nmore\n";
        assert_eq!(
            split(text),
            Ok(Split::Frontmatter {
                yaml: "a: 1\n",
                first_line: 2,
                body: "Body line\r\n\n---\nmore\n"
            })
        );
    }

    #[test]
    fn no_frontmatter() {
        assert_eq!(split("# Title\n\ntext\n"), Ok(Split::NoFrontmatter));
        assert_eq!(split(""), Ok(Split::NoFrontmatter));
        assert_eq!(split("----\n"), Ok(Split::NoFrontmatter));
    }

    #[test]
    fn crlf_and_bom() {
        let text = "\u{feff}---\r\na: 1\r\n---\r\nbody";
        assert_eq!(
            split(text),
            Ok(Split::Frontmatter {
                yaml: "a: 1\r\n",
                first_line: 2,
                body: "body"
            })
        );
    }

    #[test]
    fn closing_at_end_of_file_without_newline() {
        assert_eq!(
            split("---\na: 1\n---"),
            Ok(Split::Frontmatter {
                yaml: "a: 1\n",
                first_line: 2,
                body: ""
            })
        );
    }

    #[test]
    fn unclosed() {
        assert_eq!(split("---\na: 1\nbody\n"), Err(Unclosed));
    }
}
