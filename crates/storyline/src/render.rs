//! Human-readable text for articles and lists on a terminal.

use std::io::{self, Write};
use storyline_core::{Article, Published};

pub fn date(p: Option<Published>) -> String {
    p.map_or_else(|| "date unknown".into(), |p| p.to_string())
}

/// The article as a reader would scan it: title, facts, sections, references.
pub fn article(a: &Article, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", a.title)?;
    if a.title_derived {
        writeln!(out, "(title derived from the first sentence)")?;
    }
    writeln!(out)?;
    writeln!(out, "id:        {}", a.id)?;
    writeln!(out, "published: {}", date(a.published))?;
    for (label, value) in [
        ("source", &a.source),
        ("url", &a.url),
        ("byline", &a.byline),
        ("language", &a.lang),
    ] {
        if let Some(v) = value {
            writeln!(out, "{label:<10} {v}", label = format!("{label}:"))?;
        }
    }
    for s in &a.sections {
        writeln!(out)?;
        if let Some(h) = &s.heading {
            writeln!(out, "## {h}")?;
            writeln!(out)?;
        }
        for (i, p) in s.paragraphs.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{p}")?;
        }
    }
    if !a.related_references.is_empty() {
        writeln!(out)?;
        writeln!(out, "Related references:")?;
        for r in &a.related_references {
            match &r.url {
                Some(u) => writeln!(out, "- {} <{u}>", r.title)?,
                None => writeln!(out, "- {}", r.title)?,
            }
        }
    }
    Ok(())
}
