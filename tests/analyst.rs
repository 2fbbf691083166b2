//! The analyst commands on the small fictional fixture (tests/fixtures/mini.trig), values checked by hand:
//! Bolt Fund I (a fund of Bolt Ventures) led Acme Worlds' $10M Series A with Cora Capital (a second source says
//! $12M); Cora Capital announced buying Twin Co for $1.5B.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::common::*;
use serde_json::Value;
use tempfile::TempDir;

fn mini() -> &'static PathBuf {
    static STORE: OnceLock<(TempDir, PathBuf)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let (dir, store) = empty_store();
            let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.trig");
            mvkg(&store).arg("--quiet").arg("load").arg(fixture).assert().success();
            (dir, store)
        })
        .1
}

fn json(args: &[&str]) -> Value {
    let out = mvkg(mini()).args(args).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn labels(v: &Value, key: &str) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_owned()).collect()
}

#[test]
fn search_is_case_accent_and_script_insensitive() {
    for q in ["acme", "ACMÉ", "에이크미", "worlds"] {
        let v = json(&["search", q]);
        assert_eq!(labels(&v, "label").first().map(String::as_str), Some("Acme Worlds"), "{q}");
    }
    let v = json(&["search", "bolt"]);
    assert_eq!(labels(&v, "label"), ["Bolt Fund I", "Bolt Ventures"]);
}

#[test]
fn show_lists_investments_owners_and_sources() {
    let v = json(&["show", "Acme"]);
    assert_eq!(v["country"], "XA");
    let inv: Vec<(String, bool, f64)> = v["investments_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["other"]["label"].as_str().unwrap().to_owned(),
                l["lead"].as_bool().unwrap(),
                l["amount_usd"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(inv, [("Bolt Fund I".to_owned(), true, 10e6), ("Cora Capital".to_owned(), false, 10e6)]);
    // The round is stated by both sources (B only gives another amount): both are cited.
    assert_eq!(labels(&v["sources"], "title"), ["Fixture report A", "Fixture report B"]);
    let fund = json(&["show", "mvd:fx-bolt-fund"]);
    assert_eq!(fund["owners"][0]["other"]["label"], "Bolt Ventures");
    assert_eq!(fund["owners"][0]["relation"], "subsidiary-of");
}

#[test]
fn path_prints_each_hop_with_its_evidence() {
    let v = json(&["path", "Bolt Ventures", "Acme Worlds"]);
    let hops = v[0].as_array().unwrap();
    let shape: Vec<(&str, &str, bool, &str)> = hops
        .iter()
        .map(|h| {
            (
                h["from"].as_str().unwrap(),
                h["relation"].as_str().unwrap(),
                h["forward"].as_bool().unwrap(),
                h["to"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [("Bolt Ventures", "subsidiary-of", false, "Bolt Fund I"), ("Bolt Fund I", "invests-in", true, "Acme Worlds")]
    );
    assert_eq!(hops[1]["amount_usd"], 10e6);
    assert_eq!(hops[1]["sources"][0]["publisher"], "Example Press");
    // Following link directions there is no way back from the company to the fund's parent.
    let err = fails(mvkg(mini()).args(["path", "Acme Worlds", "Bolt Ventures", "--directed"]));
    assert!(
        err.contains("No path from Acme Worlds to Bolt Ventures over the relational links, following link directions"),
        "{err}"
    );
    let err = fails(mvkg(mini()).args(["path", "Twin Co", "Acme"]));
    assert!(err.contains("`Twin Co` names 2 entities") && err.contains("fx-twin2"), "{err}");
}

#[test]
fn capital_counts_each_round_once() {
    let v = json(&["rank", "--by", "capital"]);
    let rows: Vec<(String, u64, u64, f64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["label"].as_str().unwrap().to_owned(),
                r["rounds"].as_u64().unwrap(),
                r["deals_led"].as_u64().unwrap(),
                r["attributed_usd"].as_f64().unwrap(),
            )
        })
        .collect();
    // One $10M round with two investors: $5M attributed to each, never $10M twice.
    assert_eq!(rows, [("Bolt Fund I".to_owned(), 1, 1, 5e6), ("Cora Capital".to_owned(), 1, 0, 5e6)]);
}

#[test]
fn coinvestors_exposure_timeline_and_neighbors() {
    let v = json(&["coinvest", "Cora Capital"]);
    assert_eq!(v[0]["investor"]["label"], "Bolt Fund I");
    assert_eq!(v[0]["shared"], 1);
    // By company: Bolt Fund I also backs Acme Worlds; Cora's buy-out of Twin Co has no other backer.
    let v = json(&["coinvest", "Cora Capital", "--by", "company"]);
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!((&v[0]["investor"]["label"], &v[0]["shared"]), (&Value::from("Bolt Fund I"), &Value::from(1)));
    assert_eq!(labels(&v[0]["companies"], "label"), ["Acme Worlds"]);
    let v = json(&["exposure", "Bolt Ventures"]);
    assert_eq!(v["holdings"][0]["company"]["label"], "Acme Worlds");
    assert_eq!(v["holdings"][0]["direct"], false);
    assert_eq!(v["by_technology"][0]["label"], "Fixture engine");
    assert_eq!(v["by_country"][0]["key"], "XA");
    let v = json(&["timeline"]);
    let rows: Vec<(String, u64, f64)> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (r["period"].as_str().unwrap().to_owned(), r["deals"].as_u64().unwrap(), r["capital_usd"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(rows, [("2021".to_owned(), 1, 10e6), ("2022".to_owned(), 1, 1.5e9)]);
    let v = json(&["timeline", "--as-of", "2021-12-31"]);
    assert_eq!(v["rows"].as_array().unwrap().len(), 1);
    let v = json(&["neighbors", "Acme", "--via", "invests-in"]);
    let mut names = labels(&v["nodes"], "label");
    names.sort();
    assert_eq!(names, ["Acme Worlds", "Bolt Fund I", "Cora Capital"]);
}

#[test]
fn maps_render_with_a_legend() {
    let dir = TempDir::new().unwrap();
    for kind in ["ecosystem", "investments", "country"] {
        let svg = dir.path().join(format!("{kind}.svg"));
        mvkg(mini()).args(["map", kind, "-o"]).arg(&svg).assert().success();
        let text = std::fs::read_to_string(&svg).unwrap();
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
        .unwrap();
        let titles: Vec<&str> =
            doc.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
        assert!(titles.iter().any(|t| t.starts_with("_:legend:shape")), "{kind}: no legend");
        for node in ["https://w3id.org/mvkg/id/fx-acme", "https://w3id.org/mvkg/id/fx-bolt-fund"] {
            assert!(titles.contains(&node), "{kind}: {titles:?}");
        }
        assert!(text.contains("Acme Worlds"), "{kind}: labels are drawn");
    }
    let dot = dir.path().join("ego.dot");
    mvkg(mini()).args(["map", "ego", "Acme", "--hops", "1", "-o"]).arg(&dot).assert().success();
    let text = std::fs::read_to_string(&dot).unwrap();
    assert!(text.contains("Acme Worlds") && text.contains("Bolt Fund I") && text.starts_with("digraph"), "{text}");
    let err = fails(mvkg(mini()).args(["map", "ego", "-o"]).arg(&dot));
    assert!(err.contains("`mvkg map ego` takes one entity"), "{err}");
}

#[test]
fn the_persisted_projection_follows_the_store() {
    let (dir, store) = empty_store();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.trig");
    mvkg(&store).arg("--quiet").arg("load").arg(fixture).assert().success();
    let count = || {
        let out = mvkg(&store).args(["show", "Acme", "--format", "json"]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["investments_in"].as_array().unwrap().len()
    };
    assert_eq!(count(), 2);
    assert!(store.join("mvkg-projection.bin").is_file(), "the projection is saved beside the store");
    let more = write(
        &dir,
        "more.trig",
        "@prefix mv: <https://w3id.org/mvkg/ontology#> .\n@prefix mvd: <https://w3id.org/mvkg/id/> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
         <https://example.org/c> { mvd:fx-round-b a mv:Investment ; mv:investee mvd:fx-acme ; mv:investor mvd:fx-bolt ;\n\
         mv:date \"2022-03-01\"^^xsd:date . }\n",
    );
    mvkg(&store).arg("--quiet").arg("load").arg(&more).assert().success();
    assert_eq!(count(), 3, "a load makes the saved projection stale, so it is rebuilt");
    mvkg(&store)
        .args(["--quiet", "update", "DELETE WHERE { GRAPH <https://example.org/c> { ?s ?p ?o } }"])
        .assert()
        .success();
    assert_eq!(count(), 2, "so does an update");
}

#[test]
fn a_damaged_persisted_projection_is_rebuilt_not_trusted() {
    let (_dir, store) = empty_store();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini.trig");
    mvkg(&store).arg("--quiet").arg("load").arg(fixture).assert().success();
    let answers = || {
        let show = mvkg(&store).args(["show", "Acme", "--format", "json"]).output().unwrap();
        let rank = mvkg(&store).args(["rank", "--by", "capital", "--format", "csv"]).output().unwrap();
        assert!(show.status.success() && rank.status.success());
        (show.stdout, rank.stdout)
    };
    let right = answers();
    let file = store.join("mvkg-projection.bin");
    let good = std::fs::read(&file).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let damaged = [flipped, good[..good.len() / 2].to_vec(), b"not a projection".to_vec(), Vec::new()];
    for bad in damaged {
        std::fs::write(&file, &bad).unwrap();
        assert_eq!(answers(), right, "a damaged file is not believed");
        let now = std::fs::read(&file).unwrap();
        assert!(now != bad && now.len() == good.len(), "the projection is rebuilt and saved again");
    }
}

#[test]
fn the_bundled_maps_render_to_well_formed_svg() {
    let dir = TempDir::new().unwrap();
    for kind in ["ecosystem", "investments", "country"] {
        let svg = dir.path().join(format!("{kind}.svg"));
        let out = mvkg(bundled()).args(["map", kind, "-o"]).arg(&svg).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        // "Wrote FILE (KIND map, LAYOUT layout): N nodes, M links; RULE"
        let said = String::from_utf8(out.stderr).unwrap();
        let nums: Vec<usize> = said
            .split([':', ';', ','])
            .filter_map(|part| part.trim().split(' ').next().and_then(|n| n.parse().ok()))
            .collect();
        let (nodes, links) = (nums[0], nums[1]);
        assert!(nodes > 50 && links > 50, "{kind}: {said}");
        let text = std::fs::read_to_string(&svg).unwrap();
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
        )
        .unwrap();
        let class_count = |c: &str| doc.descendants().filter(|n| n.attribute("class") == Some(c)).count();
        let legend = doc
            .descendants()
            .filter(|n| n.has_tag_name("title") && n.text().is_some_and(|t| t.starts_with("_:legend:")))
            .count();
        assert!(legend > 0, "{kind}: no legend");
        // Every drawn entity and link is in the SVG, next to the legend's own shapes and samples.
        assert!(
            class_count("node") >= nodes && class_count("node") > legend,
            "{kind}: {} node groups for {nodes}",
            class_count("node")
        );
        assert!(class_count("edge") >= links, "{kind}: {} edge groups for {links}", class_count("edge"));
        assert!(text.contains("<a xlink:href=\"http"), "{kind}: links to sources");
    }
}

#[test]
fn any_construct_or_spo_select_becomes_a_map() {
    let dir = TempDir::new().unwrap();
    let q = write(&dir, "funders.rq", "CONSTRUCT { ?i mv:investor ?r } WHERE { ?r mv:investor ?i }");
    let dot = dir.path().join("funders.dot");
    mvkg(mini()).args(["map", "query"]).arg(&q).arg("-o").arg(&dot).assert().success();
    let text = std::fs::read_to_string(&dot).unwrap();
    assert!(text.contains("Bolt Fund I") && text.contains("Cora Capital") && text.contains("mv:investor"), "{text}");
    let q = write(&dir, "ask.rq", "ASK { ?s ?p ?o }");
    let err = fails(mvkg(mini()).args(["map", "query"]).arg(&q).arg("-o").arg(&dot));
    assert!(err.contains("A map is drawn from a CONSTRUCT, or from a SELECT of ?s ?p ?o, not from an ASK"), "{err}");
}

#[test]
fn rank_types_are_case_insensitive_and_unknown_ones_are_refused() {
    let v = json(&["rank", "--by", "degree", "--type", "investor"]);
    assert_eq!(labels(&v, "label"), ["Bolt Fund I", "Cora Capital", "Bolt Ventures"]);
    let v = json(&["rank", "--by", "degree", "--type", "COMPANY"]);
    assert_eq!(labels(&v, "label").len(), 4, "Acme Worlds, Twin Co twice and the odd name");
    let err = fails(mvkg(mini()).args(["rank", "--type", "startup"]));
    assert!(err.contains("Unknown --type `startup`; use a kind (organization, person"), "{err}");
}

#[test]
fn a_date_given_only_to_the_month_or_year_yields_to_a_day_inside_it() {
    // Bundled data: Sony's $250M in Epic Games is dated to the year by one source, to July 2020 by another and to
    // 9 July 2020 by a third; Docomo's ¥6.5B in HIKKY to November 2021 (Yomiuri) and to 15 November (Nikkei xTrend).
    let dated = |entity: &str, event: &str| -> String {
        let out = mvkg(bundled()).args(["show", entity, "--format", "json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let link = v["investments_in"].as_array().unwrap().iter().find(|l| l["event"] == event).cloned();
        link.unwrap_or_else(|| panic!("{event} not in {entity}"))["date"].as_str().unwrap().to_owned()
    };
    assert_eq!(dated("Epic Games", "https://w3id.org/mvkg/id/ev-2020-sony-epic-250m"), "2020-07-09");
    assert_eq!(dated("Epic Games", "https://w3id.org/mvkg/id/ev-2012-tencent-epic-investment"), "2012-06-19");
    assert_eq!(dated("HIKKY", "https://w3id.org/mvkg/id/ev-2021-docomo-hikky-investment"), "2021-11-15");
    // The named query reads the same rule in SPARQL.
    let out = mvkg(bundled())
        .args(["query", "investors-in", "--param", "company=HIKKY", "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().nth(1).is_some_and(|l| l.contains(",Strategic,57037557,2021-11-15,true,")), "{text}");
}

#[test]
fn a_retired_iri_still_finds_the_thing_it_was_merged_into() {
    // Bundled data: mvd:baidu-xirang and mvd:ev-2022-tencent-stake-epic were merged (owl:sameAs in src:mvkg-curation).
    let show = |name: &str| -> Value {
        let out = mvkg(bundled()).args(["show", name, "--format", "json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = show("mvd:baidu-xirang");
    assert_eq!(v["entity"]["iri"], "https://w3id.org/mvkg/id/xirang", "{v}");
    // Tencent's 2022 stake in Epic is listed once.
    let tencent = show("Tencent");
    let stakes: Vec<&Value> = tencent
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter(|l| l["event"] == "https://w3id.org/mvkg/id/ev-2022-tencent-epic-stake")
        .collect();
    assert_eq!(stakes.len(), 1, "{stakes:?}");
}

#[test]
fn a_participant_s_share_is_shown_on_that_participant_s_link_only() {
    // Bundled data: Sequoia's $12.5M of Google's 1999 round (mv:shareOf), PIF's $400M of Magic Leap's 2018 Series D.
    let links = |entity: &str| -> Vec<(String, Option<f64>, String)> {
        let out = mvkg(bundled()).args(["show", entity, "--format", "json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["investments_in"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["amount_scope"] != "RoundTotal")
            .map(|l| {
                (
                    l["other"]["label"].as_str().unwrap().to_owned(),
                    l["amount_usd"].as_f64(),
                    l["amount_scope"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(links("Google"), [("Sequoia Capital".to_owned(), Some(12.5e6), "ParticipantShare".to_owned())]);
    assert_eq!(
        links("Magic Leap"),
        [("Public Investment Fund".to_owned(), Some(400e6), "ParticipantShare".to_owned())]
    );
}

#[test]
fn a_curated_usd_value_cites_mvkg_curation_and_the_rate_table_it_came_from() {
    // EQT's £2.1 billion for Keywords Studios has a USD value only from the curators' conversion (src:mvkg-curation)
    // at the July 2024 rate of the monthly exchange-rate table (mv:fxSource): both are cited.
    let out = mvkg(bundled()).args(["show", "Keywords Studios", "--format", "json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let titles: Vec<&str> = v["sources"].as_array().unwrap().iter().filter_map(|s| s["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.starts_with("mvkg curation:")), "{titles:?}");
    assert!(
        titles.iter().any(|t| t.starts_with("monthly.csv (monthly exchange rates against the US dollar")),
        "{titles:?}"
    );
}
