//! `marvin cleanup`: delete what interrupted runs left behind on one cloud,
//! as their ledgers record it (or, with the ledger lost, as the `marvin:run`
//! tags show it), and nothing else.

use std::path::PathBuf;

use marvin_core::Client;
use marvin_core::cleanup::{
    LedgerLocation, RUN_TAG, SweepOptions, SweepReport, locate_ledger, normalized_endpoint, sweep,
    sweep_by_tag,
};
use marvin_core::resource::DeletionRule;

use super::{CliError, load_config};

/// Arguments of `marvin cleanup`.
#[derive(Debug, clap::Args)]
pub struct CleanupArgs {
    /// The Marvin config of the cloud to sweep (default: $MARVIN_CONFIG).
    /// Only resources recorded on this cloud are touched.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Only resources of this run id (default: every run).
    #[arg(long)]
    run: Option<String>,
    /// Print exactly the calls that would be sent (command and
    /// parameters), and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// A ledger file; repeat for several (default: $MARVIN_LEDGER, else
    /// marvin/ledger.jsonl in the target directory of the Cargo workspace
    /// of the current directory, where tests write it).
    #[arg(long, conflicts_with = "by_tag")]
    ledger: Vec<PathBuf>,
    /// Also sweep ledger records that name no cloud (written by an older
    /// Marvin) as records of this cloud.
    #[arg(long, conflicts_with = "by_tag")]
    include_unknown_cloud: bool,
    /// Without a ledger: delete what carries a `marvin:run` tag on the
    /// cloud (of every run, or of --run).
    #[arg(long)]
    by_tag: bool,
}

/// The only deletions `marvin cleanup` sends: each generated entity's own
/// (`marvin_entities::DELETION_RULES`) and the factories' hand-written ones.
pub fn deletion_rules() -> Vec<DeletionRule> {
    marvin_factories::all_deletion_rules()
}

/// The CloudStack resource types the factories tag, with the entity each
/// may be (a firewall rule: ingress or egress), for `--by-tag`.
fn taggable(rules: &[DeletionRule]) -> Vec<(&'static str, &'static str)> {
    let mut kinds: Vec<(&'static str, &'static str)> = Vec::new();
    for rule in rules {
        if let Some(kind) = marvin_factories::tags::resource_type(rule.entity) {
            if !kinds.contains(&(kind, rule.entity)) {
                kinds.push((kind, rule.entity));
            }
        }
    }
    kinds
}

pub async fn run(args: CleanupArgs) -> Result<(), CliError> {
    let config = load_config(args.config.as_deref())?
        .ok_or_else(|| CliError::Usage("marvin cleanup needs --config or MARVIN_CONFIG".into()))?;
    let client = Client::from_config(&config)?;
    let rules = deletion_rules();
    let options = SweepOptions {
        run: args.run.clone(),
        dry_run: args.dry_run,
        include_unknown_cloud: args.include_unknown_cloud,
        rules: &rules,
    };
    println!("cloud: {}", normalized_endpoint(client.endpoint()));
    let report = if args.by_tag {
        let which = args
            .run
            .as_deref()
            .map_or_else(|| "of every run".to_owned(), |run| format!("of run {run}"));
        println!("source: the {RUN_TAG} tags on the cloud ({which})");
        let report = sweep_by_tag(&client, &taggable(&rules), &options).await?;
        println!("{} tagged resource(s)", report.tagged.unwrap_or_default());
        report
    } else {
        sweep_ledgers(&client, &args, &options).await?
    };
    println!("{report}");
    let left = report.left_behind();
    if args.dry_run || left == 0 {
        Ok(())
    } else {
        Err(CliError::Leaks(left))
    }
}

/// Sweeps the ledgers `--ledger` names, else the one tests write; prints
/// which files it read and why those.
async fn sweep_ledgers(
    client: &Client,
    args: &CleanupArgs,
    options: &SweepOptions<'_>,
) -> Result<SweepReport, CliError> {
    let ledgers: Vec<(PathBuf, String)> = if args.ledger.is_empty() {
        match locate_ledger() {
            LedgerLocation::Off => {
                return Err(CliError::Usage(
                    "MARVIN_LEDGER=off: there is no ledger to sweep; name one with --ledger, \
                     or sweep by the run tags with --by-tag"
                        .into(),
                ));
            }
            LedgerLocation::File { path, origin } => vec![(path, origin.to_string())],
        }
    } else {
        args.ledger
            .iter()
            .map(|path| (path.clone(), "--ledger".to_owned()))
            .collect()
    };
    let paths: Vec<PathBuf> = ledgers.iter().map(|(path, _)| path.clone()).collect();
    let report = sweep(client, &paths, options)
        .await
        .map_err(|error| CliError::Usage(error.to_string()))?;
    for read in &report.ledgers {
        let origin = ledgers
            .iter()
            .find(|(path, _)| *path == read.path)
            .map_or("", |(_, origin)| origin.as_str());
        if read.exists {
            println!(
                "ledger: {} ({origin}): {} record(s)",
                read.path.display(),
                read.records
            );
        } else {
            println!(
                "ledger: {} ({origin}): does not exist, nothing was recorded there \
                 (a lost ledger: `marvin cleanup --by-tag` finds the tagged resources)",
                read.path.display()
            );
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use marvin_core::Resource;
    use marvin_core::cleanup::check_deletion;
    use marvin_core::resource::Deletion;
    use marvin_factories::{Direction, SecurityGroupRule};

    use super::*;

    fn check(deletion: &Deletion) {
        let rules = deletion_rules();
        if let Err(refusal) = check_deletion(&deletion.entity, &deletion.id, deletion, &rules) {
            panic!("{} {}: {refusal}", deletion.entity, deletion.id);
        }
    }

    #[test]
    fn the_factories_hand_written_deletions_pass() {
        use marvin_entities::Decode;
        let pair = marvin_entities::SSHKeyPair::from_value(serde_json::json!({
            "id": "uuid-1", "name": "key-1", "account": "acme", "domainid": "d1"
        }));
        // Generated like every entity's: by name, within its owner.
        let deletion = pair.deletion().expect("a key pair is deletable");
        assert_eq!(
            deletion.params,
            [("name", "key-1"), ("account", "acme"), ("domainid", "d1")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        check(&deletion);
        for direction in [Direction::Ingress, Direction::Egress] {
            let rule = SecurityGroupRule {
                id: "r1".into(),
                securitygroupid: "g1".into(),
                direction,
                protocol: "tcp".into(),
                startport: 22,
                endport: 22,
                cidr: "0.0.0.0/0".into(),
            };
            check(&rule.deletion().expect("a rule is deletable"));
        }
    }

    #[test]
    fn generated_entities_pass_and_tagged_types_map_to_them() {
        let rules = deletion_rules();
        for rule in &rules {
            check(&rule.deletion("x1"));
        }
        let taggable = taggable(&rules);
        for (kind, entity) in [
            ("UserVm", "VirtualMachine"),
            ("Volume", "Volume"),
            ("Network", "Network"),
            ("PublicIpAddress", "IpAddress"),
            ("Account", "Account"),
            ("FirewallRule", "FirewallRule"),
            ("FirewallRule", "EgressFirewallRule"),
        ] {
            assert!(taggable.contains(&(kind, entity)), "{kind} {entity}");
        }
    }
}
