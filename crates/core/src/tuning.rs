//! `KEY=VALUE` option assignments, as benchmark runs pass them
//! (`--set names_weight=0.5`) to whichever component owns the key.

/// Splits `key=value` and reads the value as a number; the error names what is wrong.
pub fn numeric_assignment(assignment: &str) -> Result<(&str, f32), String> {
    let (key, value) = assignment
        .split_once('=')
        .ok_or_else(|| format!("{assignment:?}: expected KEY=VALUE"))?;
    let key = key.trim();
    let number = value
        .trim()
        .parse::<f32>()
        .map_err(|_| format!("{key}: not a number: {value:?}"))?;
    Ok((key, number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_rejects() {
        assert_eq!(numeric_assignment(" a = 0.5").unwrap(), ("a", 0.5));
        assert!(numeric_assignment("a").unwrap_err().contains("KEY=VALUE"));
        assert!(numeric_assignment("a=x").unwrap_err().contains("not a number"));
    }
}
