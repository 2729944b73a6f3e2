//! File commands: SELECT (by FID, path, first/next, parent), READ BINARY,
//! UPDATE BINARY, CREATE FILE, DELETE FILE, with the access rules of the
//! security attributes.

use super::apdu::*;
use super::card::{EmulatedRutoken, Reply};
use super::crypto_commands::curve_of;
use super::fcp::{self, Op};
use super::fs::{Body, MF, Node, Rsf, RsfKind, SYS_KEY_DF};
use super::pins::{MAX_PIN_LEN, max_tries};

/// Card memory for files (EF and RSF contents), as a 64 KB Rutoken ECP.
pub const CAPACITY: usize = 64 * 1024;

/// P2 bits 3-4: what SELECT answers with.
const SELECT_ANSWER_MASK: u8 = 0x0C;
/// P2 bits 1-2: which occurrence.
const SELECT_NEXT: u8 = 0x02;

impl EmulatedRutoken {
    /// SELECT `00 A4 P1 P2`. P1: `00` by FID (no data: the first file of
    /// the current DF; entering it if it is a DF), `03` the parent DF,
    /// `08` a path from the MF, `09` a path from the current DF; `04`
    /// (DF name) finds nothing. P2 `02`: the file after the given FID in
    /// the current DF (`6A 82` at the end). Always answers the FCP: P2
    /// `0C` (no answer) is refused with `6A 86` (Aktiv: the ECP SC does not
    /// select without answering the file's information).
    pub(super) fn select(&mut self, p1: u8, p2: u8, data: &[u8]) -> Reply {
        if p2 & SELECT_ANSWER_MASK == SELECT_ANSWER_MASK || p2 & !(SELECT_ANSWER_MASK | 0x03) != 0 {
            return Err(SW_WRONG_P1P2);
        }
        let next = match p2 & 0x03 {
            0 => false,
            SELECT_NEXT => true,
            _ => return Err(SW_WRONG_P1P2),
        };
        if self.fs.mf.is_none() || p1 == 0x04 {
            return Err(SW_NOT_FOUND);
        }
        let fids = fids(data)?;
        let path = match (p1, next, fids.as_slice()) {
            (0x00, false, []) => {
                let df = self.fs.current_df();
                let first = self.fs.get(&df).and_then(|n| n.children().first());
                [df.as_slice(), &[first.ok_or(SW_NOT_FOUND)?.fid]].concat()
            }
            (0x00, false, [fid]) => self.fs.find_fid(*fid).ok_or(SW_NOT_FOUND)?,
            (0x00, true, [fid]) => {
                let df = self.fs.current_df();
                let children = self.fs.get(&df).map(Node::children).unwrap_or_default();
                let at = children
                    .iter()
                    .position(|c| c.fid == *fid)
                    .ok_or(SW_NOT_FOUND)?;
                let after = children.get(at + 1).ok_or(SW_NOT_FOUND)?;
                [df.as_slice(), &[after.fid]].concat()
            }
            (0x00, _, _) => return Err(SW_WRONG_LENGTH),
            (0x03, false, []) => {
                let df = self.fs.current_df();
                if df.len() < 2 {
                    return Err(SW_NOT_FOUND);
                }
                df[..df.len() - 1].to_vec()
            }
            (0x08, false, [_, ..]) => [&[MF][..], &fids].concat(),
            (0x09, false, [_, ..]) => [self.fs.current_df().as_slice(), &fids].concat(),
            (0x03 | 0x08 | 0x09, false, _) => return Err(SW_WRONG_LENGTH),
            _ => return Err(SW_WRONG_P1P2),
        };
        let fcp = self.fs.get(&path).ok_or(SW_NOT_FOUND)?.fcp();
        self.fs.current = path;
        Ok(fcp)
    }

    /// READ BINARY `00 B0 off_hi off_lo Le` of the current EF (or of a
    /// public-key RSF, if its AccessMode has a read rule; secrets never).
    pub(super) fn read_binary(&mut self, p1: u8, p2: u8, le: Option<usize>) -> Reply {
        if p1 & 0x80 != 0 {
            return Err(SW_WRONG_P1P2);
        }
        let offset = usize::from(u16::from_be_bytes([p1, p2]));
        let node = self.fs.current().ok_or(SW_NO_CURRENT_EF)?;
        let content: &[u8] = match &node.body {
            Body::Df(_) => return Err(SW_NO_CURRENT_EF),
            Body::Ef(d) => d,
            Body::Rsf(r) if r.kind.is_secret() => return Err(SW_SECURITY),
            Body::Rsf(r) => r.value.as_deref().map_or(&[][..], |v| v.as_slice()),
        };
        if !self.permits(node.sec.condition(Op::Bit0)) {
            return Err(SW_SECURITY);
        }
        if offset > content.len() || (offset == content.len() && offset > 0) {
            return Err(SW_WRONG_OFFSET);
        }
        let n = le.unwrap_or(256).min(content.len() - offset);
        Ok(content[offset..offset + n].to_vec())
    }

    /// UPDATE BINARY `00 D6 off_hi off_lo Lc data` of the current EF:
    /// within its size (`6A 84` past its end), if its update rule is met.
    pub(super) fn update_binary(&mut self, p1: u8, p2: u8, data: &[u8]) -> Reply {
        if p1 & 0x80 != 0 {
            return Err(SW_WRONG_P1P2);
        }
        if data.is_empty() {
            return Err(SW_WRONG_LENGTH);
        }
        let offset = usize::from(u16::from_be_bytes([p1, p2]));
        let path = self.fs.current.clone();
        let node = self.fs.get(&path).ok_or(SW_NO_CURRENT_EF)?;
        let Body::Ef(content) = &node.body else {
            return Err(SW_NO_CURRENT_EF);
        };
        if !self.permits(node.sec.condition(Op::Bit1)) {
            return Err(SW_SECURITY);
        }
        if offset > content.len() {
            return Err(SW_WRONG_OFFSET);
        }
        if offset + data.len() > content.len() {
            return Err(SW_NO_MEMORY);
        }
        if let Some(Node {
            body: Body::Ef(content),
            ..
        }) = self.fs.get_mut(&path)
        {
            content[offset..offset + data.len()].copy_from_slice(data);
        }
        Ok(Vec::new())
    }

    /// CREATE FILE `00 E0 00 00 Lc 6F ...`. A DF or EF goes into the
    /// current DF (its bit-0 rule) and becomes the current file; `3F00`
    /// makes a new MF on an erased card. An RSF goes into its system DF
    /// (that DF's bit-1 rule) and leaves the current file as it was.
    pub(super) fn create_file(&mut self, p1: u8, p2: u8, data: &[u8]) -> Reply {
        if (p1, p2) != (0, 0) {
            return Err(SW_WRONG_P1P2);
        }
        let req = fcp::parse_create(data)?;
        if matches!(req.fid, 0x3FFF | 0xFFFF) {
            return Err(SW_WRONG_DATA);
        }
        if req.descriptor == fcp::DESCRIPTOR_DF && req.fid == MF {
            if self.fs.mf.is_some() {
                return Err(SW_FILE_EXISTS);
            }
            self.fs.mf = Some(Node::df(MF, req.sec, Vec::new()));
            self.fs.current = vec![MF];
            return Ok(Vec::new());
        }
        if self.fs.mf.is_none() {
            return Err(SW_NOT_FOUND);
        }
        if self.fs.used_bytes() + usize::from(req.size) > CAPACITY {
            return Err(SW_NO_MEMORY);
        }
        let (body, dir, becomes_current) = match req.descriptor {
            fcp::DESCRIPTOR_DF if req.fid != MF => {
                (Body::Df(Vec::new()), self.fs.current_df(), true)
            }
            fcp::DESCRIPTOR_EF => (
                Body::Ef(vec![0; usize::from(req.size)]),
                self.fs.current_df(),
                true,
            ),
            fcp::DESCRIPTOR_RSF => {
                let kind = rsf_kind_checked(req.fid, &req.prop, req.size)?;
                let dir = [&SYS_KEY_DF[..], &[kind.home()]].concat();
                let rsf = Rsf {
                    kind,
                    size: req.size,
                    value: None,
                    tries_left: max_tries(&req.prop),
                };
                (Body::Rsf(rsf), dir, false)
            }
            _ => return Err(SW_WRONG_DATA),
        };
        let rule = match body {
            Body::Rsf(_) => Op::Bit1,
            _ => Op::Bit0,
        };
        let parent = self
            .fs
            .get(&dir)
            .filter(|n| n.is_df())
            .ok_or(SW_NOT_FOUND)?;
        if !self.permits(parent.sec.condition(rule)) {
            return Err(SW_SECURITY);
        }
        let fid = req.fid;
        self.fs.insert(
            &dir,
            Node {
                fid,
                sec: req.sec,
                prop: req.prop,
                body,
            },
        )?;
        if becomes_current {
            self.fs.current = [dir.as_slice(), &[fid]].concat();
        }
        Ok(Vec::new())
    }

    /// DELETE FILE `00 E4 00 00 02 FID` (a child of the current DF) or
    /// without data (the current file), if the file's delete rule is met.
    /// A DF goes with everything in it.
    pub(super) fn delete_file(&mut self, p1: u8, p2: u8, data: &[u8]) -> Reply {
        if (p1, p2) != (0, 0) {
            return Err(SW_WRONG_P1P2);
        }
        let path = match fids(data)?.as_slice() {
            [] => self.fs.current.clone(),
            [fid] => [self.fs.current_df().as_slice(), &[*fid]].concat(),
            _ => return Err(SW_WRONG_LENGTH),
        };
        let node = self.fs.get(&path).ok_or(SW_NOT_FOUND)?;
        if path.len() < 2 || !self.permits(node.sec.condition(Op::Delete)) {
            return Err(SW_SECURITY);
        }
        self.fs.remove(&path)?;
        Ok(Vec::new())
    }
}

/// The FIDs of SELECT or DELETE data (`67 00` for an odd length).
fn fids(data: &[u8]) -> Result<Vec<u16>, u16> {
    if !data.len().is_multiple_of(2) {
        return Err(SW_WRONG_LENGTH);
    }
    Ok(data
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect())
}

/// The kind of RSF a CREATE FILE asks for, checked: a known type byte, a
/// PIN file numbered 1 or 2 with tries and a size of at most 32, a key
/// file numbered 1..255 (the key reference is one byte), a GOST key with a
/// CryptoPro paramset.
fn rsf_kind_checked(fid: u16, prop: &[u8], size: u16) -> Result<RsfKind, u16> {
    let kind = prop
        .first()
        .and_then(|b| RsfKind::from_type(*b))
        .ok_or(SW_WRONG_DATA)?;
    let ok = match kind {
        RsfKind::Chv => matches!(fid, 1 | 2) && prop.len() >= 4 && usize::from(size) <= MAX_PIN_LEN,
        RsfKind::GostPrivate | RsfKind::GostPublic => {
            (1..=0xFF).contains(&fid) && curve_of(prop).is_some()
        }
        RsfKind::RsaPrivate | RsfKind::RsaPublic => (1..=0xFF).contains(&fid),
    };
    if ok { Ok(kind) } else { Err(SW_WRONG_DATA) }
}
