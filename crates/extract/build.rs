//! Fingerprints the analysis code (this crate's and `storyline-core`'s
//! sources) so analyses kept in the store are reused across rebuilds that
//! do not change how articles are analysed, and redone after any that
//! might. Read as `storyline_extract::CODE_FINGERPRINT`. Linking articles'
//! entities to each other (the `linking` module, a folder) is not part of
//! one article's analysis, so it is left out: changing it keeps what was
//! kept.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let linking = path
            .file_name()
            .is_some_and(|n| n == "linking" || n == "linking.rs");
        if linking {
            continue;
        }
        if path.is_dir() {
            sources(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for name in ["extract", "core"] {
        let src = crates.join(name).join("src");
        println!("cargo:rerun-if-changed={}", src.display());
        sources(&src, &mut files);
    }
    files.sort();
    let mut hasher = std::hash::DefaultHasher::new();
    for file in &files {
        file.strip_prefix(&crates).unwrap_or(file).hash(&mut hasher);
        std::fs::read(file).unwrap_or_default().hash(&mut hasher);
    }
    println!("cargo:rustc-env=STORYLINE_ANALYSIS_CODE={:016x}", hasher.finish());
}
