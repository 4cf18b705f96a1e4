//! Text from definition files, Temporal notes and messages, made inert in GitHub-flavoured
//! Markdown: a name holding `**`, `<img>` or `[x](…)`, or a body holding a code fence or
//! `</details>`, must not restyle, link or break the comment it is quoted in.
//!
//! Three forms: [`text`] for prose (every Markdown and HTML punctuation backslash-escaped,
//! which CommonMark allows for any ASCII punctuation), [`code`] for identifiers and paths
//! (an inline code span whose backtick run is longer than any in the text), and [`fenced`]
//! for multi-line text (a fenced block whose fence is longer than any backtick run inside,
//! so no line of the text can close it; HTML inside a fenced block is text, so a
//! `</details>` there closes nothing).

/// ASCII punctuation that means something in Markdown or HTML inside a line (`(` and `)`
/// only after a `]`, which is escaped; `#`, `-`, `+` and `.` only at the start of a line,
/// where this text never is).
const SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '{', '}', '[', ']', '<', '>', '!', '|', '~', '&', ':', '$',
];

/// One line of prose, inert: line breaks become spaces, Markdown punctuation is escaped.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if SPECIAL.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// The longest run of `c` in `s`.
fn longest_run(s: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// An inline code span holding `s` on one line, whatever backticks it contains.
pub fn code(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if one_line.is_empty() {
        return "` `".to_string();
    }
    let fence = "`".repeat(longest_run(&one_line, '`') + 1);
    // A span that starts or ends with a backtick needs a space between it and the fence
    // (CommonMark strips one space on each side).
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

/// A fenced code block of `content`, every line indented by `indent`, with a fence longer
/// than any backtick run in the content (at least three).
pub fn fenced(info: &str, content: &str, indent: &str) -> String {
    let fence = "`".repeat((longest_run(content, '`') + 1).max(3));
    let mut out = format!("{indent}{fence}{info}\n");
    for line in content.lines() {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(indent);
    out.push_str(&fence);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_inert() {
        assert_eq!(text("plain words, 1.5"), "plain words, 1.5");
        assert_eq!(
            text("**x** <img src=y> [a](b)\nnext"),
            "\\*\\*x\\*\\* \\<img src=y\\> \\[a\\](b) next"
        );
        assert_eq!(text("`k` & :tada:"), "\\`k\\` \\& \\:tada\\:");
    }

    #[test]
    fn code_spans_outlast_their_backticks() {
        assert_eq!(code("a.md:3"), "`a.md:3`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("```x"), "```` ```x ````");
        assert_eq!(code("two\nlines"), "`two lines`");
        assert_eq!(code(""), "` `");
    }

    #[test]
    fn fences_outlast_the_content() {
        assert_eq!(fenced("diff", "+a\n", "  "), "  ```diff\n  +a\n  ```\n");
        let block = fenced("", "x\n`````\ny", "");
        assert!(block.starts_with("``````\n"), "{block}");
        assert!(block.ends_with("\n``````\n"), "{block}");
    }
}
