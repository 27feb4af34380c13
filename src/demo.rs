//! demo (in progress).
use crate::app::Fail;
use crate::cli::{DemoArgs, GlobalArgs};
use crate::exit::Code;
pub async fn command(_g: &GlobalArgs, _a: DemoArgs) -> Result<Code, Fail> {
    Err(Fail::usage("demo is not built yet"))
}
