//! verify (in progress).
use crate::app::Fail;
use crate::cli::{GlobalArgs, VerifyArgs};
use crate::exit::Code;
pub async fn command(_g: &GlobalArgs, _a: VerifyArgs) -> Result<Code, Fail> {
    Err(Fail::usage("verify is not built yet"))
}
