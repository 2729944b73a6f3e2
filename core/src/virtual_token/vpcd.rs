//! Bridge from a virtual token to a vsmartcard `vpcd` reader.
