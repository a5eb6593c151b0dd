//! The mention state's byte form: the reference blob stored in the repo (version 1) still decodes to
//! the same state and the same table, and corrupted bytes are errors, never panics.
//!
//! `tests/data/mention_state_v1.bin` is written by the ignored test `write_reference_blob` (`cargo test
//! -p voc-core --test mention_bytes -- --ignored write_reference_blob --nocapture`); it must never be
//! regenerated for version 1: a change that cannot read it has broken saved states.
#![cfg(feature = "text")]
// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use voc_core::text::{
    ChannelLabels, MentionOptions, MentionSettings, MentionState, MentionStateBatch, Taxonomy,
    ThemeMatcher,
};
use voc_core::time::Period;
use voc_core::{Error, State};

const BLOB: &[u8] = include_bytes!("data/mention_state_v1.bin");

/// Three themes, one the child of another, with non-ASCII labels.
fn matcher() -> ThemeMatcher {
    let mut t = Taxonomy::new();
    t.add("refund", "退款", &["退款", "refund*"], &[]).unwrap();
    t.add("refund.slow", "退款慢", &["退款慢", "slow refund"], &[])
        .unwrap();
    t.add("delivery", "Délai de livraison", &["快递", "late"], &[])
        .unwrap();
    ThemeMatcher::new(t).unwrap()
}

fn settings() -> MentionSettings {
    MentionSettings::default()
        .channels(true)
        .period(Some(Period::Month))
}

/// Two workers' states, each numbering its own channels, merged.
fn reference_state() -> MentionState {
    let m = matcher();
    let mut a = MentionState::new(m.taxonomy(), settings());
    let texts = [
        "退款慢",
        "refund please",
        "快递 late",
        "hello",
        "slow refund!",
    ];
    let sets = m.themes_batch(&texts, true).unwrap();
    let labels = ChannelLabels::Str(vec!["店铺".into(), "email".into()]);
    a.update(
        MentionStateBatch::new(&sets)
            .channels(&[0, 1, 0, 1, 0], &labels)
            .periods(&[24_300, 24_300, 24_300, 24_301, 24_301])
            .dropped(2),
    )
    .unwrap();
    let mut b = a.empty_like();
    let texts = ["退款", "nothing", "late again"];
    let sets = m.themes_batch(&texts, true).unwrap();
    let labels = ChannelLabels::Str(vec!["chat".into(), "店铺".into()]);
    b.update(
        MentionStateBatch::new(&sets)
            .channels(&[0, 1, 1], &labels)
            .periods(&[24_301, 24_300, 24_301]),
    )
    .unwrap();
    a.merge(&b).unwrap();
    a
}

/// (channel label, period, theme, texts, mentions) of every row of the reference state's table.
const ROWS: [(&str, i64, usize, u64, u64); 15] = [
    ("chat", 24_301, 0, 1, 1),
    ("chat", 24_301, 1, 1, 0),
    ("chat", 24_301, 2, 1, 0),
    ("email", 24_300, 0, 1, 1),
    ("email", 24_300, 1, 1, 0),
    ("email", 24_300, 2, 1, 0),
    ("email", 24_301, 0, 1, 0),
    ("email", 24_301, 1, 1, 0),
    ("email", 24_301, 2, 1, 0),
    ("店铺", 24_300, 0, 3, 1),
    ("店铺", 24_300, 1, 3, 1),
    ("店铺", 24_300, 2, 3, 1),
    ("店铺", 24_301, 0, 2, 1),
    ("店铺", 24_301, 1, 2, 1),
    ("店铺", 24_301, 2, 2, 1),
];

#[test]
#[ignore = "writes the reference blob; run by hand only when adding a new version"]
fn write_reference_blob() {
    let s = reference_state();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mention_state_v1.bin"
    );
    std::fs::write(path, s.to_bytes()).unwrap();
    let t = s.finish(&MentionOptions::default()).unwrap();
    println!("channels = {:?}", t.channels);
    for r in &t.rows {
        println!(
            "({}, {:?}, {}, {}, {})",
            r.channel, r.period, r.theme, r.texts, r.mentions
        );
    }
}

#[test]
fn reference_blob_decodes_to_the_same_state() {
    let s = MentionState::from_bytes(BLOB).unwrap();
    assert_eq!(*s.settings(), settings());
    assert_eq!((s.texts(), s.dropped()), (8, 2));
    let ids: Vec<&str> = s.themes().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["refund", "refund.slow", "delivery"]);
    assert_eq!(s.themes()[1].parent, Some(0));
    assert_eq!(s.themes()[2].label, "Délai de livraison");
    // Channels in the order they were met; the table sorts them.
    let met = ChannelLabels::Str(vec!["店铺".into(), "email".into(), "chat".into()]);
    assert_eq!(s.channels(), Some(&met));
    let t = s.finish(&MentionOptions::default()).unwrap();
    let Some(ChannelLabels::Str(names)) = &t.channels else {
        panic!("{:?}", t.channels)
    };
    assert_eq!(names, &["chat", "email", "店铺"]);
    assert_eq!(t.rows.len(), ROWS.len());
    for (r, &(channel, period, theme, texts, mentions)) in t.rows.iter().zip(&ROWS) {
        assert_eq!(names[r.channel as usize], channel);
        assert_eq!(
            (r.period, r.theme as usize, r.texts, r.mentions),
            (Some(period), theme, texts, mentions)
        );
    }
    // The encoder is stable, and today's counting of the same texts is the same state.
    assert_eq!(s.to_bytes(), BLOB);
    assert_eq!(reference_state(), s);
    assert_eq!(reference_state().to_bytes(), BLOB);
}

#[test]
fn every_truncation_and_bit_flip_is_a_decode_error() {
    common::assert_corruption_is_detected(BLOB, MentionState::from_bytes);
}

#[test]
fn states_of_other_settings_do_not_merge_with_the_reference() {
    let s = MentionState::from_bytes(BLOB).unwrap();
    let m = matcher();
    for other in [
        settings().rollup(false),
        settings().period(Some(Period::Week)),
        settings().channels(false),
    ] {
        let mut x = s.clone();
        let r = x.merge(&MentionState::new(m.taxonomy(), other));
        assert!(matches!(r, Err(Error::Incompatible(_))), "{other:?}: {r:?}");
        assert_eq!(x.to_bytes(), BLOB);
    }
}
