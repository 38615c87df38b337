//! Fault injection end to end: arming faults through the fault APIs and
//! firing them in the kernel.

use serde_json::Value;

use crate::families::testkit::{Kit, code};
use crate::kernel::faults::*;
use crate::kernel::params::Params;

/// Arms a fault as the admin; returns its id.
fn arm(kit: &mut Kit, params: &[(&str, &str)]) -> String {
    let admin = kit.admin();
    let answer = kit
        .call(&admin, "configureSimulatorFault", params)
        .expect("configureSimulatorFault");
    answer["simulatorfault"]["id"]
        .as_str()
        .expect("an id")
        .to_string()
}

fn fault(kit: &mut Kit, id: &str) -> Value {
    let admin = kit.admin();
    let answer = kit
        .call(&admin, "listSimulatorFaults", &[("id", id)])
        .expect("listSimulatorFaults");
    answer["simulatorfault"][0].clone()
}

/// `calls` calls of `command`, with `roll` as the dice; how many fired
/// and which fault's code each firing had.
fn calls(
    kit: &mut Kit,
    command: &str,
    calls: usize,
    roll: &mut dyn FnMut(f64) -> bool,
) -> Vec<Option<u16>> {
    (0..calls)
        .map(|_| {
            let tx = kit.conn.transaction().expect("transaction");
            let fired = take_with(&tx, command, true, &Params::new(), roll).expect("take");
            tx.commit().expect("commit");
            fired.map(|fired| match fired.action {
                Action::Fail(error) => error.code.as_u16(),
                _ => 0,
            })
        })
        .collect()
}

#[test]
fn a_probable_fault_fires_when_the_dice_say_so_and_counts_every_match() {
    let mut kit = Kit::new();
    let id = arm(
        &mut kit,
        &[
            ("apiname", "deployVirtualMachine"),
            ("action", "fail"),
            ("count", "-1"),
            ("probability", "0.25"),
            ("errorcode", "533"),
        ],
    );
    // Fires on every fourth roll.
    let mut n = 0;
    let mut roll = |p: f64| {
        assert!((p - 0.25).abs() < 1e-12, "{p}");
        n += 1;
        n % 4 == 0
    };
    let fired = calls(&mut kit, "deployVirtualMachine", 8, &mut roll);
    assert_eq!(
        fired,
        [None, None, None, Some(533), None, None, None, Some(533)]
    );
    let listed = fault(&mut kit, &id);
    assert_eq!(listed["probability"], 0.25);
    assert_eq!(listed["matched"], 8);
    assert_eq!(listed["fired"], 2);
    assert_eq!(listed["count"], -1);
}

#[test]
fn count_still_bounds_the_firings_of_a_probable_fault() {
    let mut kit = Kit::new();
    let id = arm(
        &mut kit,
        &[
            ("apiname", "createVolume"),
            ("action", "fail"),
            ("count", "2"),
            ("probability", "0.5"),
        ],
    );
    let mut roll = |_: f64| true;
    let fired = calls(&mut kit, "createVolume", 4, &mut roll);
    assert_eq!(fired, [Some(530), Some(530), None, None]);
    let listed = fault(&mut kit, &id);
    assert_eq!(
        (listed["count"].clone(), listed["fired"].clone()),
        (0.into(), 2.into())
    );
    // Exhausted: later calls no longer reach it.
    assert_eq!(listed["matched"], 2);
}

#[test]
fn when_a_fault_does_not_fire_the_next_one_gets_its_chance() {
    let mut kit = Kit::new();
    let first = arm(
        &mut kit,
        &[
            ("apiname", "deleteNetwork"),
            ("action", "fail"),
            ("count", "-1"),
            ("probability", "0.1"),
            ("errorcode", "536"),
        ],
    );
    let second = arm(
        &mut kit,
        &[
            ("apiname", "deleteNetwork"),
            ("action", "fail"),
            ("count", "-1"),
            ("probability", "0.2"),
            ("errorcode", "534"),
        ],
    );
    // The first fault's dice never fire, the second's always do.
    let mut roll = |p: f64| p > 0.15;
    let fired = calls(&mut kit, "deleteNetwork", 3, &mut roll);
    assert_eq!(fired, [Some(534), Some(534), Some(534)]);
    assert_eq!(fault(&mut kit, &first)["matched"], 3);
    assert_eq!(fault(&mut kit, &first)["fired"], 0);
    assert_eq!(fault(&mut kit, &second)["fired"], 3);
}

#[test]
fn a_fault_without_probability_always_fires_and_never_rolls() {
    let mut kit = Kit::new();
    let id = arm(&mut kit, &[("apiname", "deleteVolume"), ("action", "fail")]);
    let mut roll = |_: f64| -> bool { panic!("a certain fault does not roll") };
    let fired = calls(&mut kit, "deleteVolume", 2, &mut roll);
    assert_eq!(fired, [Some(530), None]);
    assert_eq!(fault(&mut kit, &id)["probability"], 1.0);
}

#[test]
fn the_real_dice_fire_about_as_often_as_asked() {
    let mut kit = Kit::new();
    arm(
        &mut kit,
        &[
            ("apiname", "createNetwork"),
            ("action", "fail"),
            ("count", "-1"),
            ("probability", "0.1"),
        ],
    );
    let fired = (0..4000)
        .filter(|_| {
            let tx = kit.conn.transaction().expect("transaction");
            let fired = take(&tx, "createNetwork", false, &Params::new()).expect("take");
            tx.commit().expect("commit");
            fired.is_some()
        })
        .count();
    // 400 expected; 5 standard deviations is about 95.
    assert!((300..=500).contains(&fired), "{fired} of 4000");
}

#[test]
fn probabilities_out_of_range_are_refused_with_431() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    for bad in ["0", "-0.5", "1.01", "2", "NaN", "inf", "x"] {
        let error = kit
            .call(
                &admin,
                "configureSimulatorFault",
                &[
                    ("apiname", "createNetwork"),
                    ("action", "fail"),
                    ("probability", bad),
                ],
            )
            .expect_err(bad);
        assert_eq!(code(&error), 431, "{bad}: {}", error.text);
        assert!(error.text.contains("probability"), "{}", error.text);
    }
    arm(
        &mut kit,
        &[
            ("apiname", "createNetwork"),
            ("action", "fail"),
            ("probability", "1"),
        ],
    );
}
