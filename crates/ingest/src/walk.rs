//! Inputs named on the command line: files, folders (recursively) and stdin.
//!
//! Every input yields one [`Parsed`] per file through a callback (a JSON
//! Lines input one per few hundred records), so a caller can store each
//! part before the next is read. JSON Lines are streamed: however large the
//! file, one line is held at a time. Any other input is read whole, up to
//! `limits.file_bytes`. Problems with an input itself (missing, unreadable,
//! over the size limit) come back as rejections of that input; they never
//! stop the other inputs.

use crate::json::{self, Line};
use crate::{parse_bytes, Format, Parsed, Rejection};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use storyline_core::{Limit, Limits};

/// How much of an input is looked at to tell its format.
const PEEK_BYTES: usize = 64 * 1024;

/// Reads one command-line input (`-` is stdin) and hands each part's result to `sink`.
pub fn read_input(arg: &str, limits: &Limits, sink: &mut dyn FnMut(Parsed)) {
    if arg == "-" {
        let mut stdin = BufReader::with_capacity(PEEK_BYTES, std::io::stdin().lock());
        read_stream("<stdin>", &mut stdin, None, limits, sink);
        return;
    }
    let path = Path::new(arg);
    match std::fs::metadata(path) {
        Err(e) => sink(Parsed::rejected(arg, None, format!("cannot read: {e}"))),
        Ok(m) if m.is_dir() => read_dir(path, limits, sink),
        Ok(_) => read_file(path, None, limits, sink),
    }
}

fn read_dir(dir: &Path, limits: &Limits, sink: &mut dyn FnMut(Parsed)) {
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Err(e) => {
                let name = e
                    .path()
                    .map_or_else(|| dir.display().to_string(), |p| p.display().to_string());
                sink(Parsed::rejected(&name, None, format!("cannot read: {e}")));
            }
            Ok(e) if e.file_type().is_file() => {
                // In a folder only files of a known format are read; anything
                // else (images, notes, lock files) is not an article.
                if let Some(format) = Format::from_path(e.path()) {
                    read_file(e.path(), Some(format), limits, sink);
                }
            }
            Ok(_) => {}
        }
    }
}

fn read_file(path: &Path, format: Option<Format>, limits: &Limits, sink: &mut dyn FnMut(Parsed)) {
    let name = path.display().to_string();
    let format = format.or_else(|| Format::from_path(path));
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => return sink(Parsed::rejected(&name, None, format!("cannot read: {e}"))),
    };
    // A file that cannot be JSON Lines is read whole: a large one is
    // refused before reading it.
    let may_stream = matches!(format, None | Some(Format::Json | Format::Jsonl));
    if size > limits.file_bytes && !may_stream {
        return sink(Parsed {
            rejected: vec![Rejection::at_limit(
                &name,
                None,
                Limit::FileBytes,
                format!(
                    "file is {size} bytes, over the limit of {} bytes ({})",
                    limits.file_bytes,
                    Limit::FileBytes.flag()
                ),
            )],
            ..Parsed::default()
        });
    }
    match std::fs::File::open(path) {
        Ok(file) => {
            let mut reader = BufReader::with_capacity(PEEK_BYTES, file);
            read_stream(&name, &mut reader, format, limits, sink);
        }
        Err(e) => sink(Parsed::rejected(&name, None, format!("cannot read: {e}"))),
    }
}

/// One input from `reader`: streamed when it is JSON Lines, else read whole
/// (up to `limits.file_bytes`) and parsed.
fn read_stream(
    name: &str,
    reader: &mut dyn BufRead,
    format: Option<Format>,
    limits: &Limits,
    sink: &mut dyn FnMut(Parsed),
) {
    let peek = match reader.fill_buf() {
        Ok(bytes) => bytes,
        Err(e) => return sink(Parsed::rejected(name, None, format!("cannot read: {e}"))),
    };
    let format = format.unwrap_or_else(|| Format::sniff(peek));
    let starts_with_object = peek
        .strip_prefix("\u{feff}".as_bytes())
        .unwrap_or(peek)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b'{');
    let mut whole = Vec::new();
    if format == Format::Jsonl || (format == Format::Json && starts_with_object) {
        // The first line tells JSON Lines from one object spread over many
        // lines (a pretty-printed article or JSON Feed), which is read whole.
        match json::next_line(reader, limits.line_bytes, &mut whole) {
            // Input named as JSON Lines always streams, whatever its first
            // line holds (a broken line is rejected alone).
            Ok(Some(Line::Read)) if format == Format::Jsonl || is_record_line(&whole) => {
                // The first line is read again with the rest: chain it back on.
                let mut chained = whole.as_slice().chain(reader);
                json::read_lines(name, &mut chained, 1, limits, sink);
                return;
            }
            Ok(Some(Line::TooLong(bytes))) => {
                let mut parsed = Parsed::default();
                parsed.rejected.push(json::too_long(name, 1, bytes, limits));
                sink(parsed);
                json::read_lines(name, reader, 2, limits, sink);
                return;
            }
            Ok(_) => {}
            Err(e) => return sink(Parsed::rejected(name, None, format!("cannot read: {e}"))),
        }
    }
    // `whole` holds what was read so far; read the rest up to the limit.
    let limit = limits.file_bytes;
    let room = limit.saturating_sub(whole.len() as u64);
    if let Err(e) = reader.take(room + 1).read_to_end(&mut whole) {
        return sink(Parsed::rejected(name, None, format!("cannot read: {e}")));
    }
    if whole.len() as u64 > limit {
        return sink(Parsed {
            rejected: vec![Rejection::at_limit(
                name,
                None,
                Limit::FileBytes,
                format!(
                    "input is over the limit of {limit} bytes ({}); JSON Lines are streamed and have no such limit",
                    Limit::FileBytes.flag()
                ),
            )],
            ..Parsed::default()
        });
    }
    sink(parse_bytes(name, &whole, Some(format), limits));
}

/// Whether `line` is a complete JSON object that is one record of JSON
/// Lines rather than a whole document (a JSON Feed on one line).
fn is_record_line(line: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line)) {
        Ok(Value::Object(o)) => !o
            .get("version")
            .and_then(Value::as_str)
            .is_some_and(|v| v.contains("jsonfeed.org")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(arg: &str, limits: &Limits) -> Vec<Parsed> {
        let mut out = Vec::new();
        read_input(arg, limits, &mut |p| out.push(p));
        out
    }

    #[test]
    fn folders_are_read_recursively_in_name_order_skipping_unknown_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "Second.").unwrap();
        std::fs::write(dir.path().join("sub/a.md"), "# A\n\nFirst.").unwrap();
        std::fs::write(dir.path().join("image.png"), [0u8, 1, 2]).unwrap();
        std::fs::write(dir.path().join(".hidden.txt"), "Hidden.").unwrap();
        let out = collect(dir.path().to_str().unwrap(), &Limits::default());
        let inputs: Vec<_> = out
            .iter()
            .flat_map(|p| p.drafts.iter().map(|d| d.input.clone()))
            .collect();
        assert_eq!(inputs.len(), 2);
        assert!(inputs[0].ends_with("b.txt") && inputs[1].ends_with("a.md"));
    }

    #[test]
    fn json_lines_files_are_streamed_with_their_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(
            &path,
            "\n{\"id\":\"a\",\"text\":\"A.\"}\nnot json\n{\"id\":\"b\",\"text\":\"B.\"}\n",
        )
        .unwrap();
        let broken_first = dir.path().join("b.jsonl");
        std::fs::write(&broken_first, "{\"id\": oops\n{\"id\":\"c\",\"text\":\"C.\"}\n").unwrap();
        // Far over the file-size limit: JSON Lines are not read whole.
        let limits = Limits {
            file_bytes: 10,
            ..Limits::default()
        };
        let out = collect(path.to_str().unwrap(), &limits);
        let lines: Vec<_> = out.iter().flat_map(|p| &p.drafts).map(|d| d.line).collect();
        assert_eq!(lines, vec![Some(2), Some(4)]);
        let rejected: Vec<_> = out.iter().flat_map(|p| &p.rejected).map(|r| r.line).collect();
        assert_eq!(rejected, vec![Some(3)]);
        // A broken first line costs that line only, however large the file.
        let out = collect(broken_first.to_str().unwrap(), &limits);
        let lines: Vec<_> = out.iter().flat_map(|p| &p.drafts).map(|d| d.line).collect();
        assert_eq!(lines, vec![Some(2)]);
        assert_eq!(
            out.iter()
                .flat_map(|p| &p.rejected)
                .map(|r| r.line)
                .collect::<Vec<_>>(),
            vec![Some(1)]
        );
    }

    #[test]
    fn bad_inputs_are_rejected_with_their_name_and_reason() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "").unwrap();
        let binary = dir.path().join("blob.txt");
        std::fs::write(&binary, [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
        let big = dir.path().join("big.txt");
        std::fs::write(&big, "x".repeat(2000)).unwrap();
        let options = Limits {
            file_bytes: 1000,
            ..Limits::default()
        };
        for (path, want) in [
            (empty.to_str().unwrap(), "empty input"),
            (binary.to_str().unwrap(), "binary data"),
            (
                big.to_str().unwrap(),
                "file is 2000 bytes, over the limit of 1000 bytes",
            ),
            ("/no/such/file.txt", "cannot read"),
        ] {
            let out = collect(path, &options);
            assert_eq!(out[0].rejected.len(), 1, "{path}");
            assert_eq!(out[0].rejected[0].input, path);
            assert!(
                out[0].rejected[0].reason.contains(want),
                "{path}: {}",
                out[0].rejected[0].reason
            );
        }
    }
}
