//! Bytes to text: byte-order marks, declared charsets and detection.
//!
//! News pages still arrive in windows-1252, ISO-8859-x, Shift_JIS and KOI8-R.
//! A declared charset (BOM, then `<meta charset>` for HTML) wins; otherwise
//! valid UTF-8 is taken as such, and anything else goes to chardetng, the
//! detector Firefox uses. Decoding never fails: unmappable bytes become U+FFFD.

use encoding_rs::Encoding;

/// True when the bytes are not text: a NUL byte, or many C0 control bytes,
/// in the first 8 KiB. UTF-16 with a BOM counts as text.
pub fn looks_binary(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return true;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    controls * 20 > head.len().max(1)
}

/// Decodes text whose encoding is not declared inside it.
pub fn decode_text(bytes: &[u8]) -> String {
    decode_with(bytes, None)
}

/// Decodes an HTML or XML document, honouring a charset it declares near its top.
pub fn decode_html(bytes: &[u8]) -> String {
    decode_with(bytes, declared_charset(bytes))
}

/// Decodes a fetched document: the charset its HTTP Content-Type header
/// names outranks what the document declares (`html`: a meta charset
/// near its top), which outranks detection; a byte-order mark beats all.
pub fn decode_served(bytes: &[u8], header_charset: Option<&str>, html: bool) -> String {
    let declared = header_charset
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .filter(|&enc| enc != encoding_rs::UTF_8 || std::str::from_utf8(bytes).is_ok())
        .or_else(|| if html { declared_charset(bytes) } else { None });
    decode_with(bytes, declared)
}

fn decode_with(bytes: &[u8], declared: Option<&'static Encoding>) -> String {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return enc.decode_without_bom_handling(&bytes[bom_len..]).0.into_owned();
    }
    if let Some(enc) = declared {
        // A page that says "utf-8" but is not is common; trust the bytes then.
        if enc != encoding_rs::UTF_8 || std::str::from_utf8(bytes).is_ok() {
            return enc.decode_without_bom_handling(bytes).0.into_owned();
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    if mostly_utf8(bytes) {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    let enc = detector.guess(None, true);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// UTF-8 with a few damaged sequences (a truncated copy, one stray byte) is
/// still UTF-8: decoding it as a legacy charset would garble every accent.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    multibyte > 0 && invalid <= multibyte
}

/// The charset named by `<meta charset=…>`, `<meta http-equiv … content="…charset=…">`
/// or `<?xml … encoding="…"?>` in the first 4 KiB.
pub fn declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    for key in ["charset=", "encoding="] {
        let mut rest = head.as_str();
        while let Some(i) = rest.find(key) {
            let after = rest[i + key.len()..].trim_start_matches(['"', '\'', ' ']);
            let label: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
                .collect();
            if let Some(enc) = Encoding::for_label(label.as_bytes()) {
                return Some(enc);
            }
            rest = &rest[i + key.len()..];
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_recognised() {
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_binary("Plain text, ünïcode.".as_bytes()));
    }

    #[test]
    fn windows_1252_is_detected() {
        let bytes = b"Caf\xe9 owners in Z\xfcrich said the na\xefve plan would fail, according to the report from the city.";
        assert!(decode_text(bytes).contains("Café"));
    }

    #[test]
    fn utf8_with_a_stray_invalid_byte_stays_utf8() {
        let mut bytes = "Grüße aus Zürich, sagte der Sprecher am Montag in München."
            .as_bytes()
            .to_vec();
        bytes.insert(5, 0xFF);
        let text = decode_text(&bytes);
        assert!(text.contains("Zürich") && text.contains('\u{FFFD}'), "{text}");
    }

    #[test]
    fn declared_html_charset_wins() {
        let page = b"<html><head><meta charset=\"iso-8859-1\"></head><body><p>Gr\xfc\xdfe</p></body></html>";
        assert!(decode_html(page).contains("Grüße"));
        assert_eq!(declared_charset(page), Some(encoding_rs::WINDOWS_1252));
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Hello".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert!(!looks_binary(&bytes));
        assert_eq!(decode_text(&bytes), "Hello");
    }
}
