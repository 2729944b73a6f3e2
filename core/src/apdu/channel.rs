//! The APDU channel: one logical command in, one complete response out
//! (OFP1 Section 2).
//!
//! [`ApduChannel::transmit`] is the single entry point. Per command it
//! 1. picks short or extended form (extended only when the transport reports
//!    support *and* the command needs it),
//! 2. splits the command into chained fragments (CLA | `10`) when the encoded
//!    APDU exceeds the transport's maximum transceive length,
//! 3. repeats the command once with `Le = xx` on `6C xx`,
//! 4. collects `61 xx` chunks with GET RESPONSE (at most
//!    [`MAX_GET_RESPONSE`] of them).
//!
//! Secure messaging wraps the logical command *before* it reaches this
//! channel, so chaining and GET RESPONSE here apply to the wrapped APDU.

use super::codec::{self, LengthForm};
use super::{Command, LinkError, Response, trace};
use crate::transport::Transport;

/// Cap on GET RESPONSE commands per logical command (OFP1 Section 2).
pub const MAX_GET_RESPONSE: usize = 64;

/// CLA bit of an intermediate chained fragment (ISO 7816-4 5.3.3).
pub const CHAINING_BIT: u8 = 0x10;

/// INS of GET RESPONSE.
pub const INS_GET_RESPONSE: u8 = 0xC0;

/// `xx` of `61 xx` / `6C xx` as a length (`00` = 256).
fn sw2_len(sw: u16) -> u32 {
    match sw & 0xFF {
        0 => 256,
        n => u32::from(n),
    }
}

/// A transport plus the ISO 7816-4 framing rules; see the module docs.
pub struct ApduChannel<T: Transport> {
    transport: T,
    exchanges: u64,
}

impl<T: Transport> ApduChannel<T> {
    /// Wraps a transport.
    pub fn new(transport: T) -> Self {
        ApduChannel {
            transport,
            exchanges: 0,
        }
    }

    /// Sends one logical command and returns its complete response, whatever
    /// the status word. Use [`Response::check`] or [`super::check`] to turn an
    /// error status into a [`super::StatusError`].
    ///
    /// When the command needs an Le above 256 but the transport has no
    /// extended length, Le is sent as `00` (256); a card with more data then
    /// announces it with `61 xx` and this channel collects it.
    pub fn transmit(&mut self, cmd: &Command) -> Result<Response, LinkError> {
        let mut rsp = self.send(cmd, cmd.le)?;
        if rsp.sw1() == 0x6C {
            rsp = self.send(cmd, Some(sw2_len(rsp.sw)))?;
        }
        self.collect(rsp, cmd.sensitive)
    }

    /// APDUs exchanged so far (every transceive attempt counts, including
    /// chain fragments, GET RESPONSE and ones the link failed).
    pub fn exchanges(&self) -> u64 {
        self.exchanges
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, e.g. to reconnect a test transport.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.transport
    }

    /// Sends `cmd` with Le `le`, chained if needed; returns the answer to the
    /// last (or only) APDU.
    fn send(&mut self, cmd: &Command, le: Option<u32>) -> Result<Response, LinkError> {
        // Le = 0 or > 65536 is a caller bug whatever form is chosen below
        // (checked here because the short form clamps Le to 256).
        if let Some(bad) = le.filter(|&le| le == 0 || le > codec::EXTENDED_MAX_LE) {
            return Err(codec::CodecError::LeOutOfRange {
                le: bad,
                max: codec::EXTENDED_MAX_LE,
                form: LengthForm::Extended,
            }
            .into());
        }
        let data = cmd.data.as_slice();
        let needs_extended =
            data.len() > codec::SHORT_MAX_DATA || le.is_some_and(|le| le > codec::SHORT_MAX_LE);
        let form = if needs_extended && self.transport.extended_length_supported() {
            LengthForm::Extended
        } else {
            LengthForm::Short
        };
        let (max_data, max_le) = codec::limits(form);
        let le = le.map(|le| le.min(max_le));
        let header = [cmd.cla, cmd.ins, cmd.p1, cmd.p2];
        let max = self.transport.max_transceive_length();
        let whole = codec::encoded_len_parts(data.len(), le.is_some(), form);
        if data.len() <= max_data && whole <= max {
            return self.exchange(header, data, le, form, cmd.sensitive);
        }

        // Command chaining: every fragment must fit, the last one carries Le.
        let overhead = codec::encoded_len_parts(1, le.is_some(), form) - 1;
        let chunk = max.saturating_sub(overhead).min(max_data);
        if data.is_empty() || chunk == 0 {
            return Err(LinkError::CommandTooLong { len: whole, max });
        }
        let chained = [cmd.cla | CHAINING_BIT, cmd.ins, cmd.p1, cmd.p2];
        let mut rest = data;
        while rest.len() > chunk {
            let (part, tail) = rest.split_at(chunk);
            let rsp = self.exchange(chained, part, None, form, cmd.sensitive)?;
            if rsp.sw != 0x9000 {
                return Err(LinkError::ChainingRejected { sw: rsp.sw });
            }
            rest = tail;
        }
        self.exchange(header, rest, le, form, cmd.sensitive)
    }

    /// Follows `61 xx` with GET RESPONSE, concatenating the data.
    fn collect(&mut self, first: Response, sensitive: bool) -> Result<Response, LinkError> {
        let Response { mut data, mut sw } = first;
        let mut in_get_response = false;
        let mut iterations = 0;
        loop {
            let le = match sw >> 8 {
                0x61 => sw2_len(sw),
                // Wrong Le for GET RESPONSE itself: ask again with the length given.
                0x6C if in_get_response => sw2_len(sw),
                _ => return Ok(Response::new(data, sw)),
            };
            if iterations == MAX_GET_RESPONSE {
                return Err(LinkError::TooManyResponseChunks {
                    limit: MAX_GET_RESPONSE,
                });
            }
            iterations += 1;
            in_get_response = true;
            let header = [0x00, INS_GET_RESPONSE, 0x00, 0x00];
            let rsp = self.exchange(header, &[], Some(le), LengthForm::Short, sensitive)?;
            data.extend_from_slice(&rsp.data);
            sw = rsp.sw;
        }
    }

    /// One transceive, traced and counted.
    fn exchange(
        &mut self,
        header: [u8; 4],
        data: &[u8],
        le: Option<u32>,
        form: LengthForm,
        sensitive: bool,
    ) -> Result<Response, LinkError> {
        let apdu = codec::encode_parts(header, data, le, form)?;
        let (start, len) = codec::data_span(data.len(), form);
        trace::command(&apdu, start, len, sensitive);
        self.exchanges += 1;
        let raw = self.transport.transceive(apdu).inspect_err(|e| {
            trace::failure(e);
        })?;
        let rsp = codec::decode_response(raw)?;
        trace::response(&rsp.data, rsp.sw, sensitive);
        Ok(rsp)
    }
}

impl<T: Transport> core::fmt::Debug for ApduChannel<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ApduChannel")
            .field("exchanges", &self.exchanges)
            .finish_non_exhaustive()
    }
}
