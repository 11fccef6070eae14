//! Inputs named on the command line: files, folders (recursively) and stdin.
//!
//! Every input yields one [`Parsed`] per file through a callback, so a caller
//! can store each file's articles before the next file is read. Problems with
//! an input itself (missing, unreadable, over the size limit) come back as
//! rejections of that input; they never stop the other inputs.

use crate::{parse_bytes, Format, Parsed};
use std::io::Read;
use std::path::Path;

/// Limits for reading inputs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files (and stdin) larger than this are rejected unread.
    pub max_file_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_file_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Reads one command-line input (`-` is stdin) and hands each file's result to `sink`.
pub fn read_input(arg: &str, options: &Options, sink: &mut dyn FnMut(Parsed)) {
    if arg == "-" {
        sink(read_stdin(options));
        return;
    }
    let path = Path::new(arg);
    match std::fs::metadata(path) {
        Err(e) => sink(Parsed::rejected(arg, None, format!("cannot read: {e}"))),
        Ok(m) if m.is_dir() => read_dir(path, options, sink),
        Ok(_) => sink(read_file(path, None, options)),
    }
}

fn read_dir(dir: &Path, options: &Options, sink: &mut dyn FnMut(Parsed)) {
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
                    sink(read_file(e.path(), Some(format), options));
                }
            }
            Ok(_) => {}
        }
    }
}

fn read_file(path: &Path, format: Option<Format>, options: &Options) -> Parsed {
    let name = path.display().to_string();
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => return Parsed::rejected(&name, None, format!("cannot read: {e}")),
    };
    if size > options.max_file_bytes {
        return Parsed::rejected(&name, None, too_large(size, options.max_file_bytes));
    }
    match std::fs::read(path) {
        Ok(bytes) => parse_bytes(&name, &bytes, format.or_else(|| Format::from_path(path))),
        Err(e) => Parsed::rejected(&name, None, format!("cannot read: {e}")),
    }
}

fn read_stdin(options: &Options) -> Parsed {
    let mut bytes = Vec::new();
    let limit = options.max_file_bytes;
    let read = std::io::stdin().lock().take(limit + 1).read_to_end(&mut bytes);
    if let Err(e) = read {
        return Parsed::rejected("<stdin>", None, format!("cannot read: {e}"));
    }
    if bytes.len() as u64 > limit {
        return Parsed::rejected(
            "<stdin>",
            None,
            format!("input is over the limit of {limit} bytes (--max-file-size)"),
        );
    }
    parse_bytes("<stdin>", &bytes, None)
}

fn too_large(size: u64, limit: u64) -> String {
    format!("file is {size} bytes, over the limit of {limit} bytes (--max-file-size)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(arg: &str, options: &Options) -> Vec<Parsed> {
        let mut out = Vec::new();
        read_input(arg, options, &mut |p| out.push(p));
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
        let out = collect(dir.path().to_str().unwrap(), &Options::default());
        let inputs: Vec<_> = out
            .iter()
            .flat_map(|p| p.drafts.iter().map(|d| d.input.clone()))
            .collect();
        assert_eq!(inputs.len(), 2);
        assert!(inputs[0].ends_with("b.txt") && inputs[1].ends_with("a.md"));
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
        let options = Options { max_file_bytes: 1000 };
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
