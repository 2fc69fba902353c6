//! Documentation strings: Smithy `@documentation` (plain text, Markdown or AWS's HTML) to
//! rustdoc Markdown that renders cleanly and never turns into a doctest or a broken link.

/// Converts a model documentation string to rustdoc text.
pub fn to_rustdoc(doc: &str) -> String {
    let text = if looks_like_html(doc) {
        html_to_markdown(doc)
    } else {
        doc.to_string()
    };
    tidy(&text)
}

/// AWS's documentation is HTML; ours is plain text that may mention `Option<String>`. Only
/// text with a closing tag or a common opening tag counts as HTML.
fn looks_like_html(doc: &str) -> bool {
    const TAGS: &[&str] = &[
        "</", "<p>", "<p ", "<code>", "<a ", "<ul>", "<ol>", "<li>", "<br", "<b>", "<i>", "<note>",
    ];
    TAGS.iter().any(|t| doc.contains(t))
}

/// Strips HTML to Markdown: paragraphs, lists, code, emphasis and links survive.
fn html_to_markdown(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut link: Option<String> = None;
    let mut in_item = false;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = &rest[start + 1..start + end];
        rest = &rest[start + end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("p", _) if in_item => {}
            ("p" | "ul" | "ol" | "dl" | "note" | "important", _) => out.push_str("\n\n"),
            ("br", _) => out.push('\n'),
            ("li", false) => {
                in_item = true;
                out.push_str("\n- ");
            }
            ("li", true) => in_item = false,
            ("dt", false) => out.push_str("\n- "),
            ("dd", false) => out.push_str(": "),
            ("code", _) => out.push('`'),
            ("b" | "strong", _) => out.push_str("**"),
            ("i" | "em", _) => out.push('*'),
            ("a", false) => {
                link = tag
                    .split("href=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .map(String::from);
                if link.is_some() {
                    out.push('[');
                }
            }
            ("a", true) => {
                if let Some(href) = link.take() {
                    out.push_str("](");
                    out.push_str(&href);
                    out.push(')');
                }
            }
            _ => {}
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Normalises whitespace and escapes what rustdoc would misread: indented lines (code blocks
/// that would run as doctests), fences, stray brackets (intra-doc links) and angle brackets
/// (HTML tags) outside inline code.
fn tidy(text: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(escape_line(&collapse_spaces(line)));
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    paragraphs.join("\n\n")
}

fn collapse_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut space = false;
    for c in line.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn escape_line(line: &str) -> String {
    let line = line.replace("```", "'''");
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '`' => {
                // Only a backtick with a partner later on opens inline code.
                if in_code || chars[i + 1..].contains(&'`') {
                    in_code = !in_code;
                    out.push('`');
                } else {
                    out.push('\'');
                }
            }
            '[' | ']' if !in_code && !is_markdown_link(&chars, i) => {
                out.push('\\');
                out.push(c);
            }
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            // A literal `&lt;` in the text must not render as `<`.
            '&' if !in_code && starts_entity(&chars[i..]) => out.push_str("&amp;"),
            '#' if !in_code && out.trim().is_empty() => out.push_str("\\#"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Whether `chars` starts with something Markdown would read as an HTML entity (`&lt;`, `&#39;`).
fn starts_entity(chars: &[char]) -> bool {
    let rest: String = chars.iter().skip(1).take(10).collect();
    match rest.find(';') {
        Some(end) if end > 0 => rest[..end]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '#'),
        _ => false,
    }
}

/// Whether the bracket at `i` belongs to a `[text](url)` link.
fn is_markdown_link(chars: &[char], i: usize) -> bool {
    match chars[i] {
        '[' => {
            let Some(close) = chars[i..].iter().position(|&c| c == ']') else {
                return false;
            };
            chars.get(i + close + 1) == Some(&'(')
        }
        ']' => chars.get(i + 1) == Some(&'(') && chars[..i].iter().rev().any(|&c| c == '['),
        _ => false,
    }
}

/// Documentation for an item the model leaves undocumented, so every public item has some.
pub fn fallback(what: &str, name: &str) -> String {
    format!("The `{name}` {what}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_markdown() {
        let doc = "<p>Use <code>Marker</code> with <a href=\"https://x.example/a\">the guide</a>.</p> <ul><li><p>One &lt;a&gt;</p></li><li>Two [x]</li></ul>";
        assert_eq!(
            to_rustdoc(doc),
            "Use `Marker` with [the guide](https://x.example/a).\n\n- One &lt;a&gt;\n- Two \\[x\\]"
        );
    }

    #[test]
    fn plain_text_with_angle_brackets_is_not_html() {
        assert_eq!(
            to_rustdoc("Returns `Option<String>`."),
            "Returns `Option<String>`."
        );
        assert_eq!(to_rustdoc("a <thing> b"), "a &lt;thing&gt; b");
        assert_eq!(to_rustdoc("<p>x &amp;lt; y</p>"), "x &amp;lt; y");
    }

    #[test]
    fn indentation_and_fences_cannot_become_doctests() {
        let doc = "Example:\n\n    let x = 1;\n```\ncode\n```";
        let out = to_rustdoc(doc);
        assert!(!out.contains("    "), "{out}");
        assert!(!out.contains("```"), "{out}");
    }
}
