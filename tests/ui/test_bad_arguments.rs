use marvin::prelude::*;

#[marvin::test(tags = ["smoke"], tags = ["again"])]
async fn tags_twice(ctx: &mut TestContext) -> Result<()> {
    let _ = ctx;
    Ok(())
}

#[marvin::test(tags = [smoke])]
async fn tag_not_a_string(ctx: &mut TestContext) -> Result<()> {
    let _ = ctx;
    Ok(())
}

#[marvin::test(retries = 3)]
async fn unknown_argument(ctx: &mut TestContext) -> Result<()> {
    let _ = ctx;
    Ok(())
}

#[marvin::test]
async fn no_context() -> Result<()> {
    Ok(())
}

marvin::main!();
