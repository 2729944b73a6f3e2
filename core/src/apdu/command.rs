//! Logical command and response APDUs (before encoding / after decoding).

/// A logical command APDU: header, data, expected length.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (Lc bytes); empty when there is none.
    pub data: Vec<u8>,
    /// Expected response length: `None` when absent, otherwise 1..=65536
    /// (256 is encoded `00` in a short APDU, 65536 `00 00` in an extended one).
    pub le: Option<u32>,
    /// Whether `data` may carry secrets (plain data before secure messaging);
    /// the APDU trace redacts it unless the caller opted in.
    pub sensitive: bool,
}

impl Command {
    /// A command without data or Le.
    pub fn new(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Command {
            cla,
            ins,
            p1,
            p2,
            data: Vec::new(),
            le: None,
            sensitive: false,
        }
    }

    /// Sets the command data.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.data = data.into();
        self
    }

    /// Sets Le.
    pub fn with_le(mut self, le: u32) -> Self {
        self.le = Some(le);
        self
    }

    /// Marks the data as secret for tracing.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
}

impl core::fmt::Debug for Command {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Command");
        d.field("cla", &format_args!("{:02X}", self.cla))
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2));
        if self.sensitive {
            d.field("data", &format_args!("[REDACTED; {}]", self.data.len()));
        } else {
            d.field("data", &format_args!("{}", hex::encode_upper(&self.data)));
        }
        d.field("le", &self.le).finish()
    }
}

/// A response APDU: data and the status word `SW1 SW2`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Response {
    /// Response data without the status word.
    pub data: Vec<u8>,
    /// `SW1 << 8 | SW2`.
    pub sw: u16,
}

impl Response {
    /// Builds a response from data and a status word.
    pub fn new(data: Vec<u8>, sw: u16) -> Self {
        Response { data, sw }
    }

    /// `SW1`.
    pub fn sw1(&self) -> u8 {
        (self.sw >> 8) as u8
    }

    /// `SW2`.
    pub fn sw2(&self) -> u8 {
        self.sw as u8
    }

    /// Whether the status word is `90 00`.
    pub fn is_ok(&self) -> bool {
        self.sw == 0x9000
    }

    /// `Ok` for `90 00`, otherwise the decoded status error.
    pub fn check(&self) -> Result<(), super::StatusError> {
        super::check(self.sw)
    }

    /// The data if the status word is `90 00`, otherwise the decoded status error.
    pub fn into_data(self) -> Result<Vec<u8>, super::StatusError> {
        super::check(self.sw).map(|()| self.data)
    }
}
