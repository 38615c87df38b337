use marvin::prelude::*;

#[marvin::test]
fn not_async(ctx: &mut TestContext) -> Result<()> {
    let _ = ctx;
    Ok(())
}

marvin::main!();
