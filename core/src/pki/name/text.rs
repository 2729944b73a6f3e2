//! RFC 4514 / OpenSSL `-subj` strings: splitting, escapes, printing.

use super::NameAttribute;
use crate::pki::PkiError;

/// Parses a name string into attributes in encoding order (see
/// [`Subject::parse`](super::Subject::parse)).
pub(super) fn parse(s: &str) -> Result<Vec<(NameAttribute, String)>, PkiError> {
    // Only leading blanks: a trailing one may be escaped (`\ `); unescaped
    // ones are trimmed per attribute.
    let s = s.trim_start();
    if s.trim_end().is_empty() {
        return Err(PkiError::InvalidSubject("the name is empty".into()));
    }
    let (body, sep, reverse) = match s.strip_prefix('/') {
        Some(rest) => (rest, b'/', false),
        None => (s, b',', true),
    };
    let mut attrs = Vec::new();
    for part in split_unescaped(body, sep)? {
        attrs.push(parse_pair(&part)?);
    }
    if reverse {
        attrs.reverse();
    }
    Ok(attrs)
}

/// One character of a name string and whether it was backslash-escaped (an
/// escaped `=`, `#` or space is never syntax).
type Marked = Vec<(u8, bool)>;

/// Splits at unescaped `sep`, resolving escapes; rejects an unescaped `+`.
fn split_unescaped(s: &str, sep: u8) -> Result<Vec<Marked>, PkiError> {
    let bytes = s.as_bytes();
    let mut parts = Vec::new();
    let mut cur = Marked::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' {
            let next = bytes.get(i + 1).copied().ok_or_else(|| {
                PkiError::InvalidSubject("the name ends with a lone backslash".into())
            })?;
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| core::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(v) => {
                    cur.push((v, true));
                    i += 3;
                }
                None => {
                    cur.push((next, true));
                    i += 2;
                }
            }
            continue;
        }
        if b == sep {
            parts.push(core::mem::take(&mut cur));
        } else if b == b'+' && sep == b',' {
            return Err(PkiError::InvalidSubject(
                "multi-valued RDNs are not supported; escape a literal '+' as '\\+'".into(),
            ));
        } else {
            cur.push((b, false));
        }
        i += 1;
    }
    parts.push(cur);
    Ok(parts)
}

/// Drops unescaped spaces at both ends.
fn trim_marked(mut m: &[(u8, bool)]) -> &[(u8, bool)] {
    while let [(b' ', false), rest @ ..] = m {
        m = rest;
    }
    while let [rest @ .., (b' ', false)] = m {
        m = rest;
    }
    m
}

fn marked_text(m: &[(u8, bool)]) -> Result<String, PkiError> {
    String::from_utf8(m.iter().map(|&(b, _)| b).collect())
        .map_err(|_| PkiError::InvalidSubject("escaped bytes are not valid UTF-8".into()))
}

fn parse_pair(part: &[(u8, bool)]) -> Result<(NameAttribute, String), PkiError> {
    let eq = part.iter().position(|&(b, esc)| b == b'=' && !esc);
    let Some(eq) = eq else {
        return Err(PkiError::InvalidSubject(format!(
            "{:?} is not of the form KEY=value",
            marked_text(part)?
        )));
    };
    let key = marked_text(trim_marked(&part[..eq]))?;
    let attr = NameAttribute::from_key(&key).ok_or_else(|| {
        PkiError::InvalidSubject(format!(
            "unknown attribute {key:?}; use CN, SN, GN, title, C, ST, L, street, O, OU, \
             emailAddress, INN, INNLE, OGRN, OGRNIP or SNILS"
        ))
    })?;
    let value = trim_marked(&part[eq + 1..]);
    if let Some((b'#', false)) = value.first() {
        return Err(PkiError::InvalidSubject(format!(
            "{key}: #hex values are not supported; write the text (escape a leading '#' as '\\#')"
        )));
    }
    Ok((attr, marked_text(value)?))
}

/// RFC 4514 Section 2.4 escaping.
pub(super) fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
