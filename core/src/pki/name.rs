//! Subject and issuer names: a builder with the attributes of Russian
//! qualified certificates, a parser for `CN=...,O=...` strings and a printer.
//!
//! A [`Subject`] keeps its attributes in encoding order, most significant
//! first (`C`, then `O`, ..., then `CN`), one attribute per RDN, like
//! `openssl req -subj "/C=RU/O=.../CN=..."`. Its string form follows RFC 4514,
//! which lists the RDNs in the reverse order: `CN=...,O=...,C=RU`.

use core::fmt;

use der::asn1::{Any, Ia5StringRef, ObjectIdentifier, PrintableStringRef, Utf8StringRef};
use der::{Encode, Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

use super::PkiError;
use super::oid;

mod text;

/// A name attribute this SDK can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameAttribute {
    /// CN, 2.5.4.3.
    CommonName,
    /// SN (surname), 2.5.4.4.
    Surname,
    /// GN (given name and patronymic), 2.5.4.42.
    GivenName,
    /// title, 2.5.4.12.
    Title,
    /// C: ISO 3166 two-letter code, 2.5.4.6.
    Country,
    /// ST: region, 2.5.4.8.
    State,
    /// L: locality, 2.5.4.7.
    Locality,
    /// street: street address, 2.5.4.9.
    Street,
    /// O: organization, 2.5.4.10.
    Organization,
    /// OU: organizational unit, 2.5.4.11.
    OrganizationalUnit,
    /// emailAddress, 1.2.840.113549.1.9.1.
    Email,
    /// INN of a person (12 digits), 1.2.643.3.131.1.1.
    Inn,
    /// INNLE: INN of a legal entity (10 digits), 1.2.643.100.4.
    InnLe,
    /// OGRN (13 digits), 1.2.643.100.1.
    Ogrn,
    /// OGRNIP (15 digits), 1.2.643.100.5.
    OgrnIp,
    /// SNILS (11 digits), 1.2.643.100.3.
    Snils,
}

/// How a value is checked and encoded.
enum Kind {
    /// UTF8String of at most this many characters (RFC 5280 upper bounds).
    Text(usize),
    /// PrintableString, two capital letters.
    Country,
    /// IA5String with an `@`.
    Email,
    /// NumericString of exactly this many digits.
    Digits(usize),
}

impl NameAttribute {
    const ALL: [NameAttribute; 16] = [
        Self::CommonName,
        Self::Surname,
        Self::GivenName,
        Self::Title,
        Self::Country,
        Self::State,
        Self::Locality,
        Self::Street,
        Self::Organization,
        Self::OrganizationalUnit,
        Self::Email,
        Self::Inn,
        Self::InnLe,
        Self::Ogrn,
        Self::OgrnIp,
        Self::Snils,
    ];

    /// The key used in strings, as OpenSSL prints it (`CN`, `INN`, `emailAddress`, ...).
    pub const fn short_name(self) -> &'static str {
        match self {
            Self::CommonName => "CN",
            Self::Surname => "SN",
            Self::GivenName => "GN",
            Self::Title => "title",
            Self::Country => "C",
            Self::State => "ST",
            Self::Locality => "L",
            Self::Street => "street",
            Self::Organization => "O",
            Self::OrganizationalUnit => "OU",
            Self::Email => "emailAddress",
            Self::Inn => "INN",
            Self::InnLe => "INNLE",
            Self::Ogrn => "OGRN",
            Self::OgrnIp => "OGRNIP",
            Self::Snils => "SNILS",
        }
    }

    /// The attribute type OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::CommonName => oid::CN,
            Self::Surname => oid::SURNAME,
            Self::GivenName => oid::GIVEN_NAME,
            Self::Title => oid::TITLE,
            Self::Country => oid::COUNTRY,
            Self::State => oid::STATE,
            Self::Locality => oid::LOCALITY,
            Self::Street => oid::STREET,
            Self::Organization => oid::ORGANIZATION,
            Self::OrganizationalUnit => oid::ORG_UNIT,
            Self::Email => oid::EMAIL,
            Self::Inn => oid::INN,
            Self::InnLe => oid::INNLE,
            Self::Ogrn => oid::OGRN,
            Self::OgrnIp => oid::OGRNIP,
            Self::Snils => oid::SNILS,
        }
    }

    /// Looks a key up, case-insensitively, with the usual aliases
    /// (`E`/`EMAIL`, `S`, `G`/`givenName`, `T`, `surname`, `streetAddress`).
    pub fn from_key(key: &str) -> Option<Self> {
        let alias = match key.to_ascii_uppercase().as_str() {
            "E" | "EMAIL" => Some(Self::Email),
            "S" => Some(Self::State),
            "G" | "GIVENNAME" => Some(Self::GivenName),
            "T" => Some(Self::Title),
            "SURNAME" => Some(Self::Surname),
            "STREETADDRESS" => Some(Self::Street),
            _ => None,
        };
        alias.or_else(|| {
            Self::ALL
                .into_iter()
                .find(|a| a.short_name().eq_ignore_ascii_case(key))
        })
    }

    fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.oid() == *oid)
    }

    fn kind(self) -> Kind {
        match self {
            Self::CommonName | Self::Organization | Self::OrganizationalUnit | Self::Title => {
                Kind::Text(64)
            }
            Self::Surname => Kind::Text(40),
            Self::GivenName => Kind::Text(64),
            Self::State | Self::Locality | Self::Street => Kind::Text(128),
            Self::Country => Kind::Country,
            Self::Email => Kind::Email,
            Self::Inn => Kind::Digits(12),
            Self::InnLe => Kind::Digits(10),
            Self::Ogrn => Kind::Digits(13),
            Self::OgrnIp => Kind::Digits(15),
            Self::Snils => Kind::Digits(11),
        }
    }

    /// Checks `value` and encodes it with the string type the attribute uses.
    fn encode(self, value: &str) -> Result<Any, PkiError> {
        let name = self.short_name();
        let bad = |why: String| PkiError::InvalidSubject(format!("{name}: {why}"));
        if value.is_empty() {
            return Err(bad("the value is empty".into()));
        }
        if value.chars().any(char::is_control) {
            return Err(bad("the value contains control characters".into()));
        }
        let any = match self.kind() {
            Kind::Text(max) => {
                let n = value.chars().count();
                if n > max {
                    return Err(bad(format!(
                        "{n} characters, the limit is {max} (RFC 5280); shorten it"
                    )));
                }
                Utf8StringRef::new(value).and_then(|s| Any::encode_from(&s))
            }
            Kind::Country => {
                if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(bad(format!(
                        "{value:?} is not a two-letter ISO 3166 code such as RU"
                    )));
                }
                PrintableStringRef::new(value).and_then(|s| Any::encode_from(&s))
            }
            Kind::Email => {
                if !value.is_ascii() || !value.contains('@') || value.len() > 255 {
                    return Err(bad(format!("{value:?} is not an ASCII e-mail address")));
                }
                Ia5StringRef::new(value).and_then(|s| Any::encode_from(&s))
            }
            Kind::Digits(n) => {
                if value.len() != n || !value.bytes().all(|b| b.is_ascii_digit()) {
                    let hint = match self {
                        Self::Inn => "; a legal entity's 10-digit INN goes into INNLE",
                        _ => "",
                    };
                    return Err(bad(format!("{value:?} must be exactly {n} digits{hint}")));
                }
                Any::new(Tag::NumericString, value.as_bytes())
            }
        };
        any.map_err(|e| PkiError::encoding("name attribute", e))
    }
}

/// A distinguished name built from structured fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    attrs: Vec<(NameAttribute, String)>,
}

macro_rules! setters {
    ($($(#[$doc:meta])* $fn:ident => $attr:ident;)*) => {$(
        $(#[$doc])*
        pub fn $fn(self, value: impl Into<String>) -> Self {
            self.with(NameAttribute::$attr, value)
        }
    )*};
}

impl Subject {
    /// An empty name.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an attribute (encoding order: add the most significant first).
    /// Values are checked when the name is encoded or by [`Subject::validate`].
    pub fn with(mut self, attr: NameAttribute, value: impl Into<String>) -> Self {
        self.attrs.push((attr, value.into()));
        self
    }

    setters! {
        /// Appends CN.
        common_name => CommonName;
        /// Appends SN (surname).
        surname => Surname;
        /// Appends GN (given name).
        given_name => GivenName;
        /// Appends title.
        title => Title;
        /// Appends C (two capital letters, e.g. `RU`).
        country => Country;
        /// Appends ST.
        state => State;
        /// Appends L.
        locality => Locality;
        /// Appends street.
        street => Street;
        /// Appends O.
        organization => Organization;
        /// Appends OU.
        organizational_unit => OrganizationalUnit;
        /// Appends emailAddress.
        email => Email;
        /// Appends INN (12 digits).
        inn => Inn;
        /// Appends INNLE (10 digits).
        inn_le => InnLe;
        /// Appends OGRN (13 digits).
        ogrn => Ogrn;
        /// Appends OGRNIP (15 digits).
        ogrnip => OgrnIp;
        /// Appends SNILS (11 digits).
        snils => Snils;
    }

    /// The attributes in encoding order.
    pub fn attributes(&self) -> &[(NameAttribute, String)] {
        &self.attrs
    }

    /// The first value of `attr`, if any.
    pub fn get(&self, attr: NameAttribute) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(a, _)| *a == attr)
            .map(|(_, v)| v.as_str())
    }

    /// Checks every value (lengths, digits, country code, e-mail).
    pub fn validate(&self) -> Result<(), PkiError> {
        self.rdn_sequence().map(|_| ())
    }

    /// Parses an RFC 4514 string (`CN=Ivan,O=Org,C=RU`, least significant
    /// first) or an OpenSSL `-subj` string (`/C=RU/O=Org/CN=Ivan`, most
    /// significant first). Backslash escapes (`\,`, `\+`, `\2C`, ...) are
    /// understood; multi-valued RDNs and `#hex` values are not.
    pub fn parse(s: &str) -> Result<Self, PkiError> {
        let subject = Subject {
            attrs: text::parse(s)?,
        };
        subject.validate()?;
        Ok(subject)
    }

    /// The name as an X.501 `RDNSequence`, one attribute per RDN.
    pub(crate) fn rdn_sequence(&self) -> Result<RdnSequence, PkiError> {
        if self.attrs.is_empty() {
            return Err(PkiError::InvalidSubject(
                "the name is empty; give at least CN".into(),
            ));
        }
        let mut rdns = Vec::with_capacity(self.attrs.len());
        for (attr, value) in &self.attrs {
            let atv = AttributeTypeAndValue {
                oid: attr.oid(),
                value: attr.encode(value)?,
            };
            let rdn = RelativeDistinguishedName::try_from(vec![atv])
                .map_err(|e| PkiError::encoding("name", e))?;
            rdns.push(rdn);
        }
        Ok(RdnSequence::from(rdns))
    }

    /// DER of the name (`SEQUENCE OF RDN`).
    pub fn to_der(&self) -> Result<Vec<u8>, PkiError> {
        self.rdn_sequence()?
            .to_der()
            .map_err(|e| PkiError::encoding("name", e))
    }
}

impl fmt::Display for Subject {
    /// RFC 4514 form: least significant RDN first, special characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (attr, value)) in self.attrs.iter().rev().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}={}", attr.short_name(), text::escape(value))?;
        }
        Ok(())
    }
}

impl core::str::FromStr for Subject {
    type Err = PkiError;
    fn from_str(s: &str) -> Result<Self, PkiError> {
        Subject::parse(s)
    }
}

/// RFC 4514 string of a parsed name (certificate issuer or subject). Known
/// attributes use their short names; others print as `OID=#hex`.
pub fn name_to_string(name: &Name) -> String {
    let mut parts: Vec<String> = Vec::new();
    for rdn in name.iter_rdn() {
        let atvs: Vec<String> = rdn
            .iter()
            .map(|atv| {
                let key = NameAttribute::from_oid(&atv.oid)
                    .map_or_else(|| atv.oid.to_string(), |a| a.short_name().to_owned());
                match decode_string(&atv.value) {
                    Some(v) => format!("{key}={}", text::escape(&v)),
                    None => format!(
                        "{key}=#{}",
                        hex::encode(atv.value.to_der().unwrap_or_default())
                    ),
                }
            })
            .collect();
        parts.push(atvs.join("+"));
    }
    parts.reverse();
    parts.join(",")
}

/// The text of a directory string value, whatever its string type.
fn decode_string(value: &Any) -> Option<String> {
    let bytes = value.value();
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString => String::from_utf8(bytes.to_vec()).ok(),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// Reads a DER `Name` into a [`Subject`] when every attribute is one we know
/// (one per RDN); `None` otherwise.
pub fn subject_from_name(name: &Name) -> Option<Subject> {
    let mut attrs = Vec::new();
    for rdn in name.iter_rdn() {
        if rdn.len() != 1 {
            return None;
        }
        let atv = rdn.iter().next()?;
        let attr = NameAttribute::from_oid(&atv.oid)?;
        attrs.push((attr, decode_string(&atv.value)?));
    }
    Some(Subject { attrs })
}

/// Decodes a DER `Name`.
#[cfg(test)]
fn name_from_der(der: &[u8]) -> Result<Name, PkiError> {
    use der::Decode;
    Name::from_der(der).map_err(|e| PkiError::malformed("name", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Subject {
        Subject::new()
            .country("RU")
            .state("77 Москва")
            .locality("Москва")
            .organization("ООО \"Ромашка\", филиал")
            .organizational_unit("IT")
            .common_name("Иванов Иван Иванович")
            .email("ivanov@example.ru")
            .inn("500100732259")
            .inn_le("7701234567")
            .ogrn("1027700132195")
            .snils("11223344595")
    }

    #[test]
    fn display_and_parse_round_trip() {
        let s = sample();
        let text = s.to_string();
        assert!(text.starts_with("SNILS=11223344595,OGRN="), "{text}");
        assert!(text.contains("O=ООО \\\"Ромашка\\\"\\, филиал"), "{text}");
        assert_eq!(Subject::parse(&text).unwrap(), s);
        let der = s.to_der().unwrap();
        let name = name_from_der(&der).unwrap();
        assert_eq!(name_to_string(&name), text);
        assert_eq!(subject_from_name(&name).unwrap(), s);
    }

    #[test]
    fn openssl_style_keeps_order() {
        let s = Subject::parse("/C=RU/O=Org/CN=Ivan").unwrap();
        assert_eq!(
            s,
            Subject::new()
                .country("RU")
                .organization("Org")
                .common_name("Ivan")
        );
        assert_eq!(s.to_string(), "CN=Ivan,O=Org,C=RU");
        assert_eq!(s.get(NameAttribute::Organization), Some("Org"));
    }

    #[test]
    fn parse_handles_escapes_spaces_and_aliases() {
        let s = Subject::parse(r" cn = a\,b\+c\3D , E=x@y.ru,o=\#1\ ").unwrap();
        assert_eq!(
            s.attributes(),
            &[
                (NameAttribute::Organization, "#1 ".to_owned()),
                (NameAttribute::Email, "x@y.ru".to_owned()),
                (NameAttribute::CommonName, "a,b+c=".to_owned()),
            ]
        );
        let back = Subject::parse(&s.to_string()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn encodes_the_right_string_types() {
        let der = Subject::new()
            .country("RU")
            .inn("500100732259")
            .email("a@b.ru")
            .common_name("X")
            .to_der()
            .unwrap();
        let name = name_from_der(&der).unwrap();
        let tags: Vec<Tag> = name.iter().map(|atv| atv.value.tag()).collect();
        assert_eq!(
            tags,
            [
                Tag::PrintableString,
                Tag::NumericString,
                Tag::Ia5String,
                Tag::Utf8String
            ]
        );
    }

    #[test]
    fn rejects_bad_values_with_a_reason() {
        let cases = [
            ("CN=", "empty"),
            ("INN=7701234567", "INNLE"),
            ("OGRN=12345678901ab", "13 digits"),
            ("SNILS=1234567890", "11 digits"),
            ("C=Russia", "ISO 3166"),
            ("C=ru", "ISO 3166"),
            ("emailAddress=ivan", "e-mail"),
            ("XX=1", "unknown attribute"),
            ("CN=a+OU=b", "multi-valued"),
            ("CN", "KEY=value"),
            ("CN=#0403", "#hex"),
            ("CN=a\\", "backslash"),
            ("", "empty"),
        ];
        for (input, want) in cases {
            let err = Subject::parse(input).unwrap_err().to_string();
            assert!(err.contains(want), "{input:?}: {err}");
        }
        let long = "я".repeat(65);
        let err = Subject::new().common_name(long).validate().unwrap_err();
        assert!(err.to_string().contains("limit is 64"), "{err}");
        assert!(Subject::new().validate().is_err());
    }

    #[test]
    fn unknown_attributes_print_as_hex() {
        // A name with serialNumber (2.5.4.5), which the builder does not offer.
        let atv = AttributeTypeAndValue {
            oid: ObjectIdentifier::new_unwrap("2.5.4.5"),
            value: Any::encode_from(&PrintableStringRef::new("42").unwrap()).unwrap(),
        };
        let rdn = RelativeDistinguishedName::try_from(vec![atv]).unwrap();
        let der = RdnSequence::from(vec![rdn]).to_der().unwrap();
        let name = name_from_der(&der).unwrap();
        assert_eq!(name_to_string(&name), "2.5.4.5=42");
        assert!(subject_from_name(&name).is_none());
    }
}
