//! The card's ISO 7816-4 file system: the MF, DFs, transparent EFs and the
//! reserved system files (RSF) that hold keys and PINs, with the current
//! file the SELECT commands move.
//!
//! RSFs are not placed where CREATE FILE is sent: the card files them by
//! the type byte of their tag `85` into the system DFs under
//! `3F00/1000/1000` — private keys into `6002`, public keys into `6001`,
//! PIN (CHV) files into `6005`. OpenSC relies on this: it creates the
//! private and the public file of a key with the same FID back to back,
//! with no SELECT between them.

use zeroize::Zeroizing;

use super::apdu::{SW_FILE_EXISTS, SW_NOT_FOUND};
use super::fcp::{self, AC_NEVER, Op, SecAttr};

/// FID of the MF.
pub const MF: u16 = 0x3F00;
/// `3F00/1000/1000`: the DF holding the key and PIN system DFs.
pub const SYS_KEY_DF: [u16; 3] = [MF, 0x1000, 0x1000];
/// Public-key RSFs.
pub const PUBLIC_KEY_DF: u16 = 0x6001;
/// Private-key RSFs.
pub const PRIVATE_KEY_DF: u16 = 0x6002;
/// PIN (CHV) RSFs.
pub const CHV_DF: u16 = 0x6005;

/// What a reserved system file holds, from byte 0 of its tag `85`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsfKind {
    /// `01`: a PIN.
    Chv,
    /// `03`: a GOST R 34.10 private key `d` (32 bytes little-endian).
    GostPrivate,
    /// `13`: a GOST R 34.10 public key `X_LE || Y_LE`.
    GostPublic,
    /// `23`: an RSA private key (stored, not usable here).
    RsaPrivate,
    /// `33`: an RSA public key (stored, not usable here).
    RsaPublic,
}

impl RsfKind {
    /// The kind named by a tag-`85` type byte.
    pub fn from_type(b: u8) -> Option<RsfKind> {
        Some(match b {
            0x01 => RsfKind::Chv,
            0x03 => RsfKind::GostPrivate,
            0x13 => RsfKind::GostPublic,
            0x23 => RsfKind::RsaPrivate,
            0x33 => RsfKind::RsaPublic,
            _ => return None,
        })
    }

    /// The system DF (under [`SYS_KEY_DF`]) the card files it into.
    pub fn home(self) -> u16 {
        match self {
            RsfKind::Chv => CHV_DF,
            RsfKind::GostPrivate | RsfKind::RsaPrivate => PRIVATE_KEY_DF,
            RsfKind::GostPublic | RsfKind::RsaPublic => PUBLIC_KEY_DF,
        }
    }

    /// Whether its content may never leave the card (READ BINARY refused).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            RsfKind::Chv | RsfKind::GostPrivate | RsfKind::RsaPrivate
        )
    }
}

/// A reserved system file: declared size, content once written, and for a
/// PIN the tries left.
pub struct Rsf {
    pub kind: RsfKind,
    pub size: u16,
    /// Key material or PIN value; `None` until written.
    pub value: Option<Zeroizing<Vec<u8>>>,
    /// PIN files only: tries left before the PIN blocks.
    pub tries_left: u8,
}

/// File content by kind.
pub enum Body {
    Df(Vec<Node>),
    /// A transparent EF: its bytes, as many as its size.
    Ef(Vec<u8>),
    Rsf(Rsf),
}

/// One file with its attributes.
pub struct Node {
    pub fid: u16,
    pub sec: SecAttr,
    /// Tag `85` (empty when none).
    pub prop: Vec<u8>,
    pub body: Body,
}

impl Node {
    pub fn df(fid: u16, sec: SecAttr, children: Vec<Node>) -> Node {
        Node {
            fid,
            sec,
            prop: Vec::new(),
            body: Body::Df(children),
        }
    }

    pub fn is_df(&self) -> bool {
        matches!(self.body, Body::Df(_))
    }

    pub fn children(&self) -> &[Node] {
        match &self.body {
            Body::Df(c) => c,
            _ => &[],
        }
    }

    fn children_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.body {
            Body::Df(c) => Some(c),
            _ => None,
        }
    }

    pub fn rsf(&self) -> Option<&Rsf> {
        match &self.body {
            Body::Rsf(r) => Some(r),
            _ => None,
        }
    }

    pub fn rsf_mut(&mut self) -> Option<&mut Rsf> {
        match &mut self.body {
            Body::Rsf(r) => Some(r),
            _ => None,
        }
    }

    /// Bytes of card memory the file takes (EF and RSF sizes, recursively).
    pub fn used_bytes(&self) -> usize {
        match &self.body {
            Body::Df(c) => c.iter().map(Node::used_bytes).sum(),
            Body::Ef(d) => d.len(),
            Body::Rsf(r) => usize::from(r.size),
        }
    }

    /// The `62` FCP template SELECT answers with.
    pub fn fcp(&self) -> Vec<u8> {
        let (descriptor, size) = match &self.body {
            Body::Df(_) => (fcp::DESCRIPTOR_DF, 0),
            Body::Ef(d) => (fcp::DESCRIPTOR_EF, d.len() as u16),
            Body::Rsf(r) => (fcp::DESCRIPTOR_RSF, r.size),
        };
        fcp::encode(self.fid, descriptor, size, &self.prop, &self.sec)
    }
}

/// Rules of the system DFs as OpenSC creates them: create a file or RSF
/// with the user PIN, delete never.
pub fn system_df_sec() -> SecAttr {
    SecAttr::new(&[(Op::Bit0, 0x02), (Op::Bit1, 0x02), (Op::Delete, AC_NEVER)])
}

/// Rules of the MF as OpenSC creates it: create with the user PIN, PUT DATA
/// with the admin PIN, delete never.
pub fn mf_sec() -> SecAttr {
    SecAttr::new(&[
        (Op::Bit0, 0x02),
        (Op::Bit1, 0x02),
        (Op::Bit2, 0x01),
        (Op::Delete, AC_NEVER),
    ])
}

/// The file tree and the current file.
pub struct FileSystem {
    /// `None` after the erase command, until CREATE FILE makes a new MF.
    pub mf: Option<Node>,
    /// Path from the MF of the current file (`[3F00, ...]`), empty when
    /// there is no MF.
    pub current: Vec<u16>,
}

impl FileSystem {
    /// An empty card (after the erase command).
    pub fn empty() -> FileSystem {
        FileSystem {
            mf: None,
            current: Vec::new(),
        }
    }

    /// The MF with the system DFs of OpenSC's `rutoken_ecp.profile`:
    /// `1000/1000/{6001..6005}`, `1000/1001/{8001,8002}`, `1000/1002..1004`.
    pub fn factory() -> FileSystem {
        let df = |fid, children| Node::df(fid, system_df_sec(), children);
        let sys_key = df(
            0x1000,
            (0x6001..=0x6005).map(|fid| df(fid, Vec::new())).collect(),
        );
        let resrv1 = df(0x1001, vec![df(0x8001, Vec::new()), df(0x8002, Vec::new())]);
        let sys = df(
            0x1000,
            vec![
                sys_key,
                resrv1,
                df(0x1002, Vec::new()),
                df(0x1003, Vec::new()),
                df(0x1004, Vec::new()),
            ],
        );
        FileSystem {
            mf: Some(Node::df(MF, mf_sec(), vec![sys])),
            current: vec![MF],
        }
    }

    pub fn get(&self, path: &[u16]) -> Option<&Node> {
        let (first, rest) = path.split_first()?;
        let mut node = self.mf.as_ref().filter(|mf| mf.fid == *first)?;
        for fid in rest {
            node = node.children().iter().find(|c| c.fid == *fid)?;
        }
        Some(node)
    }

    pub fn get_mut(&mut self, path: &[u16]) -> Option<&mut Node> {
        let (first, rest) = path.split_first()?;
        let mut node = self.mf.as_mut().filter(|mf| mf.fid == *first)?;
        for fid in rest {
            node = node.children_mut()?.iter_mut().find(|c| c.fid == *fid)?;
        }
        Some(node)
    }

    /// The current file.
    pub fn current(&self) -> Option<&Node> {
        self.get(&self.current)
    }

    /// Path of the current DF: the current file if it is a DF, else its parent.
    pub fn current_df(&self) -> Vec<u16> {
        match self.current() {
            Some(n) if n.is_df() => self.current.clone(),
            Some(_) => self.current[..self.current.len() - 1].to_vec(),
            None => Vec::new(),
        }
    }

    /// ISO 7816-4 SELECT by FID from the current DF: the MF, a child of the
    /// current DF, the current DF itself, its parent, or a sibling.
    pub fn find_fid(&self, fid: u16) -> Option<Vec<u16>> {
        if fid == MF {
            return self.mf.as_ref().map(|_| vec![MF]);
        }
        let df = self.current_df();
        let child_of = |dir: &[u16]| {
            self.get(dir)?
                .children()
                .iter()
                .any(|c| c.fid == fid)
                .then(|| [dir, &[fid]].concat())
        };
        if let Some(p) = child_of(&df) {
            return Some(p);
        }
        if df.last() == Some(&fid) {
            return Some(df);
        }
        let parent = df.get(..df.len().checked_sub(1)?)?;
        if parent.last() == Some(&fid) {
            return Some(parent.to_vec());
        }
        child_of(parent)
    }

    /// Adds `node` to the DF at `dir`; `6A 89` if the FID is taken there.
    pub fn insert(&mut self, dir: &[u16], node: Node) -> Result<(), u16> {
        let children = self
            .get_mut(dir)
            .and_then(Node::children_mut)
            .ok_or(SW_NOT_FOUND)?;
        if children.iter().any(|c| c.fid == node.fid) {
            return Err(SW_FILE_EXISTS);
        }
        children.push(node);
        Ok(())
    }

    /// Removes the file at `path` (a DF with everything in it).
    pub fn remove(&mut self, path: &[u16]) -> Result<(), u16> {
        let (fid, dir) = path.split_last().ok_or(SW_NOT_FOUND)?;
        let children = self
            .get_mut(dir)
            .and_then(Node::children_mut)
            .ok_or(SW_NOT_FOUND)?;
        let before = children.len();
        children.retain(|c| c.fid != *fid);
        if children.len() == before {
            return Err(SW_NOT_FOUND);
        }
        if self.current.starts_with(path) {
            self.current = dir.to_vec();
        }
        Ok(())
    }

    /// Bytes used by all files.
    pub fn used_bytes(&self) -> usize {
        self.mf.as_ref().map_or(0, Node::used_bytes)
    }

    /// The RSF `fid` of the system DF `home`, with its path.
    pub fn rsf_path(home: u16, fid: u16) -> Vec<u16> {
        [&SYS_KEY_DF[..], &[home, fid]].concat()
    }
}
