//! `fkn readers`: the PC/SC readers attached, one name per line.

#[cfg(feature = "pcsc")]
pub fn run() -> anyhow::Result<()> {
    let readers = fkn_core::transport::pcsc::list_readers()?;
    if readers.is_empty() {
        eprintln!("no PC/SC readers");
    }
    for r in readers {
        println!("{r}");
    }
    Ok(())
}

#[cfg(not(feature = "pcsc"))]
pub fn run() -> anyhow::Result<()> {
    anyhow::bail!("this fkn was built without PC/SC support; rebuild with --features pcsc")
}
