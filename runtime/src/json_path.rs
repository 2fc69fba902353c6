//! The path of the JSON member at a byte position of a document: `Operations[3].StepDetails`.
//!
//! A parse error from serde_json knows its line and column but not which member it was in.
//! Rather than parse the body a second time through a path-tracking deserializer (which would
//! compile every response type's deserializer a second time, for an error path), the document
//! is scanned up to the error's position, keeping a stack of open objects and arrays.

/// One open container while scanning.
enum Frame {
    /// An object and the key of the member being read (None before the first key).
    Object(Option<String>),
    /// An array and the index of the element being read.
    Array(usize),
}

/// The byte offset of a 1-based line and column (as serde_json counts them, in bytes),
/// clamped to the document.
pub(crate) fn offset_of(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].iter().position(|&b| b == b'\n') {
            Some(at) => start += at + 1,
            None => return text.len(),
        }
    }
    (start + column).min(text.len())
}

/// The path of the member being read at `offset`: keys joined by `.`, array indexes in
/// brackets. Empty at the top level. Malformed JSON before `offset` yields the best path the
/// scan could follow; this never fails and never recurses.
pub(crate) fn path_at(text: &[u8], offset: usize) -> String {
    let end = offset.min(text.len());
    let mut stack: Vec<Frame> = Vec::new();
    // Inside an object: whether the next string is a key.
    let mut expect_key = false;
    let mut i = 0;
    while i < end {
        match text[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expect_key = true;
            }
            b'[' => {
                stack.push(Frame::Array(0));
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object(_)) => expect_key = true,
                None => {}
            },
            b':' => expect_key = false,
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < text.len() && text[j] != b'"' {
                    j += if text[j] == b'\\' { 2 } else { 1 };
                }
                if expect_key && let Some(Frame::Object(key)) = stack.last_mut() {
                    let raw = &text[start..j.min(text.len())];
                    *key = Some(String::from_utf8_lossy(raw).into_owned());
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in stack.iter().take(MAX_SHOWN_DEPTH) {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    if stack.len() > MAX_SHOWN_DEPTH {
        path.push('…');
    }
    path
}

/// How many levels a path shows; deeper ones end in `…`.
const MAX_SHOWN_DEPTH: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> String {
        let offset = text.find(needle).expect("needle") + needle.len();
        path_at(text.as_bytes(), offset)
    }

    #[test]
    fn paths_of_members_and_elements() {
        let doc =
            r#"{"Operations":[{"Id":"a"},{"Id":"b","StepDetails":{"Attempt":99}}],"Next":"x"}"#;
        assert_eq!(at(doc, "99"), "Operations[1].StepDetails.Attempt");
        assert_eq!(at(doc, r#""a""#), "Operations[0].Id");
        assert_eq!(at(doc, r#""Next":"x""#), "Next");
        assert_eq!(path_at(doc.as_bytes(), 0), "");
        assert_eq!(path_at(doc.as_bytes(), doc.len()), "");
    }

    #[test]
    fn strings_with_structure_characters_and_escapes_are_skipped() {
        let doc = r#"{"A":"{[,:\"]}","B":[1,"x,y",[2,3]],"C":true}"#;
        assert_eq!(at(doc, "true"), "C");
        assert_eq!(at(doc, "[2,3"), "B[2][1]");
        assert_eq!(at(doc, r#""x,y""#), "B[1]");
    }

    #[test]
    fn malformed_or_truncated_input_never_fails() {
        for doc in [
            r#"{"A":[1,2"#,
            r#"{"A":"unterminated"#,
            "]]]}}}",
            r#"{"\"#,
            "",
        ] {
            let _ = path_at(doc.as_bytes(), doc.len());
        }
        assert_eq!(path_at(br#"{"A":[1,2"#, 9), "A[1]");
        let deep = "[".repeat(100_000);
        assert_eq!(path_at(deep.as_bytes(), 3), "[0][0][0]");
        assert_eq!(
            path_at(deep.as_bytes(), deep.len()),
            format!("{}…", "[0]".repeat(32))
        );
    }

    #[test]
    fn lines_and_columns() {
        let text = b"{\n  \"A\": 1,\n  \"B\": x\n}";
        let offset = offset_of(text, 3, 8);
        assert_eq!(text[offset - 1], b'x');
        assert_eq!(path_at(text, offset), "B");
        assert_eq!(offset_of(text, 99, 1), text.len());
        assert_eq!(offset_of(text, 1, 999), text.len());
    }
}
