//! The PKCS #15 objects of a Rutoken ECP in OpenSC's layout
//! ([`super::pkcs15`] has the formats): reading what the key files do not
//! tell (ids, labels, public keys, certificates), and storing the public
//! key of a key this driver generates and certificates, so that OpenSC and
//! this driver each find what the other stored. A card without the PKCS #15
//! application (never formatted by OpenSC) is left as it is.

use super::commands;
use super::fcp::{self, FileInfo};
use super::pkcs15::{self, APP_DF, Entry, ODF};
use super::session::{RutokenKey, RutokenSession, checked, key_path};
use crate::crypto::ec::{CurveId, VerifyingKey};
use crate::crypto::hash::streebog256;
use crate::error::{CardRefusal, Result};
use crate::transport::Transport;

/// Size of a directory file this driver creates (OpenSC's: 2 KiB).
const DIRECTORY_SIZE: u16 = 2048;
/// Owner PIN of the files this driver creates: the user PIN.
const USER: u8 = 2;
/// Status word of CREATE FILE for a FID in use.
const SW_FILE_EXISTS: u16 = 0x6A89;

/// A directory file as read: its path, its objects (up to the padding) and
/// its size, so an entry can be appended after the last object.
struct Directory {
    path: Vec<u16>,
    content: Vec<u8>,
    size: u16,
}

impl Directory {
    fn entries(&self) -> Vec<Entry> {
        pkcs15::parse_directory(&self.content)
    }

    fn from_read((file, content): (FileInfo, Vec<u8>), path: Vec<u16>) -> Directory {
        Directory {
            path,
            content,
            size: file.size,
        }
    }
}

/// The application's ODF and the three directories this driver uses.
struct Objects {
    odf: Directory,
    private: Option<Directory>,
    public: Option<Directory>,
    certificates: Option<Directory>,
}

/// The parameter-set number PKCS #15 GOST attributes carry (1..3 = A..C).
fn paramset_number(curve: CurveId) -> u8 {
    match fcp::paramset_of_curve(curve) {
        Some(b) => (b >> 4) - 1,
        None => 0,
    }
}

impl<T: Transport> RutokenSession<T> {
    fn read_directory(&mut self, path: Option<Vec<u16>>) -> Result<Option<Directory>> {
        let Some(path) = path else {
            return Ok(None);
        };
        Ok(self
            .read_optional_until(&path, pkcs15::content_end)?
            .map(|read| Directory::from_read(read, path)))
    }

    /// The PKCS #15 objects, or `None` on a card without the application
    /// (the ODF and the directories it names, read only as far as they go).
    fn read_objects(&mut self) -> Result<Option<Objects>> {
        // `open` looked for the ODF already: no second SELECT to learn it is absent.
        if !self.has_objects() {
            return Ok(None);
        }
        let Some(odf) = self.read_directory(Some(vec![APP_DF, ODF]))? else {
            return Ok(None);
        };
        let dirs = pkcs15::parse_odf(&odf.content);
        Ok(Some(Objects {
            private: self.read_directory(dirs.private_keys)?,
            public: self.read_directory(dirs.public_keys)?,
            certificates: self.read_directory(dirs.certificates)?,
            odf,
        }))
    }

    /// Fills in ids, labels, public keys and certificate paths from the
    /// PKCS #15 objects, if the card has them.
    pub(super) fn describe(&mut self, keys: &mut [RutokenKey]) -> Result<()> {
        let Some(objects) = self.read_objects()? else {
            return Ok(());
        };
        let entries =
            |d: &Option<Directory>| d.as_ref().map(Directory::entries).unwrap_or_default();
        let (private, public, certificates) = (
            entries(&objects.private),
            entries(&objects.public),
            entries(&objects.certificates),
        );
        for key in keys.iter_mut() {
            let Some(entry) = private
                .iter()
                .find(|e| e.key_reference == Some(u32::from(key.reference)))
            else {
                continue;
            };
            key.pkcs15_id = Some(entry.id.clone());
            key.label = entry.label.clone();
            key.certificate = certificates
                .iter()
                .find(|c| c.id == entry.id)
                .and_then(|c| c.path.clone());
            if let Some(pubkey) = public.iter().find(|p| p.id == entry.id) {
                let value = match (&pubkey.direct_value, &pubkey.path) {
                    (Some(v), _) => Some(v.clone()),
                    (None, Some(path)) => self.read_optional(path)?,
                    (None, None) => None,
                };
                key.public_key = value
                    .as_deref()
                    .and_then(pkcs15::gost_public_key)
                    .filter(|q| VerifyingKey::from_bytes(key.curve, q).is_ok());
            }
        }
        Ok(())
    }

    /// Puts a key this driver generated into the PKCS #15 objects, as
    /// OpenSC's `pkcs15-init --generate-key` would: its public key file
    /// `5000/02xx`, a PuKDF and a PrKDF entry (with an id derived from the
    /// public key, as OpenSC derives one). Nothing on a card without the
    /// application. Needs the user login.
    pub(super) fn register_key(&mut self, key: &mut RutokenKey, label: &str) -> Result<()> {
        let Some(public_key) = key.public_key.clone() else {
            return Ok(());
        };
        let Some(mut objects) = self.read_objects()? else {
            return Ok(());
        };
        let id = streebog256(&public_key)[..8].to_vec();
        let paramset = paramset_number(key.curve);
        let mut public =
            self.directory(&mut objects.odf, objects.public, pkcs15::ODF_PUBLIC_KEYS)?;
        let value_path = self.create_app_file(
            pkcs15::PUBLIC_KEY_FILES,
            &public.entries(),
            &pkcs15::public_key_value(&public_key),
        )?;
        let entry = pkcs15::public_key_entry(label, &id, &value_path, paramset);
        self.append(&mut public, &entry)?;
        let mut private =
            self.directory(&mut objects.odf, objects.private, pkcs15::ODF_PRIVATE_KEYS)?;
        let path = key_path(key.reference);
        let entry = pkcs15::private_key_entry(label, &id, key.reference, &path, paramset);
        self.append(&mut private, &entry)?;
        key.pkcs15_id = Some(id);
        key.label = label.to_owned();
        Ok(())
    }

    /// Stores `der` as the certificate of `key` where OpenSC keeps
    /// certificates: a file `5000/03xx` and a CDF entry with the key's
    /// PKCS #15 id. The card must have the PKCS #15 application and the key
    /// must be in it (keys OpenSC or this driver generated on such a card
    /// are). A key with a certificate keeps it: replacing one is not
    /// supported. Needs the user login.
    pub fn store_certificate(&mut self, key: &RutokenKey, der: &[u8], label: &str) -> Result<()> {
        if key.has_certificate() {
            return Err(CardRefusal::NotSupported {
                operation: "replace a key's certificate in PKI mode".into(),
            }
            .into());
        }
        let no_objects = || CardRefusal::NotSupported {
            operation: "store certificates on a card without PKCS #15 objects \
                        (format it with OpenSC's pkcs15-init)"
                .into(),
        };
        let id = key.pkcs15_id.clone().ok_or_else(no_objects)?;
        let mut objects = self.read_objects()?.ok_or_else(no_objects)?;
        let mut certificates = self.directory(
            &mut objects.odf,
            objects.certificates,
            pkcs15::ODF_CERTIFICATES,
        )?;
        let path = self.create_app_file(pkcs15::CERTIFICATE_FILES, &certificates.entries(), der)?;
        self.append(
            &mut certificates,
            &pkcs15::certificate_entry(label, &id, &path),
        )
    }

    /// The directory for ODF `tag`, created (file and ODF entry) where the
    /// card has none yet.
    fn directory(
        &mut self,
        odf: &mut Directory,
        existing: Option<Directory>,
        tag: u8,
    ) -> Result<Directory> {
        if let Some(dir) = existing {
            return Ok(dir);
        }
        let fid = pkcs15::default_directory_fid(tag);
        self.select(&[APP_DF])?;
        let fcp = fcp::data_file(fid, DIRECTORY_SIZE, USER);
        checked(self.send(&commands::create_file(fcp))?)?;
        let path = vec![APP_DF, fid];
        self.append(odf, &pkcs15::odf_entry(tag, &path))?;
        Ok(Directory {
            path,
            content: Vec::new(),
            size: DIRECTORY_SIZE,
        })
    }

    /// Creates a file holding `content` in the application DF, under the
    /// first FID from `base` that no entry of `taken` names and the card
    /// does not hold already; returns its path.
    fn create_app_file(&mut self, base: u16, taken: &[Entry], content: &[u8]) -> Result<Vec<u16>> {
        let size = u16::try_from(content.len()).map_err(|_| CardRefusal::TokenFull)?;
        for fid in base..=base + 0xFF {
            let path = vec![APP_DF, fid];
            if taken.iter().any(|e| e.path.as_ref() == Some(&path)) {
                continue;
            }
            self.select(&[APP_DF])?;
            let rsp = self.send(&commands::create_file(fcp::data_file(fid, size, USER)))?;
            if rsp.sw == SW_FILE_EXISTS {
                continue;
            }
            checked(rsp)?;
            self.write_at(&path, 0, content)?;
            return Ok(path);
        }
        Err(CardRefusal::TokenFull.into())
    }

    /// Appends `entry` after the last object of `dir`.
    fn append(&mut self, dir: &mut Directory, entry: &[u8]) -> Result<()> {
        let offset = dir.content.len();
        if offset + entry.len() > usize::from(dir.size) {
            return Err(CardRefusal::TokenFull.into());
        }
        self.write_at(&dir.path, offset, entry)?;
        dir.content.extend_from_slice(entry);
        Ok(())
    }
}
