//! The visual vocabulary of every map: node shape per entity type, fill colour per country, line style per relation,
//! colour per year, line width per amount, and the names of the seven value-chain layers.
//!
//! Everything here is a fixed table or a pure function of its input, so an entity looks the same in every map.

use crate::graph::{EdgeKind, Node, NodeKind};

/// The value-chain layers by rank (index 0 is rank 1), as in `data/ontology.ttl`.
pub use crate::graph::LAYERS;

/// The name of a layer rank (1 … 7), or `None` outside that range.
pub fn layer_name(rank: u8) -> Option<&'static str> {
    LAYERS.get(usize::from(rank).checked_sub(1)?).copied()
}

/// How a kind of entity is drawn: the Graphviz shape and the name the legend gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeLook {
    /// Position in the legend.
    pub order: u8,
    pub name: &'static str,
    pub shape: &'static str,
}

const fn look(order: u8, name: &'static str, shape: &'static str) -> NodeLook {
    NodeLook { order, name, shape }
}

pub const COMPANY: NodeLook = look(0, "Company", "box");
pub const INVESTOR: NodeLook = look(1, "Investor", "diamond");
pub const GOVERNMENT: NodeLook = look(2, "Government body", "house");
pub const ALLIANCE: NodeLook = look(3, "Alliance", "hexagon");
pub const EDUCATION: NodeLook = look(4, "Education body", "note");
pub const PERSON: NodeLook = look(5, "Person", "egg");
pub const PRODUCT: NodeLook = look(6, "Product", "component");
pub const TECHNOLOGY: NodeLook = look(7, "Technology", "ellipse");
pub const PROGRAMME: NodeLook = look(8, "Programme", "folder");
pub const COUNTRY: NodeLook = look(9, "Country", "plaintext");
/// A subject or object of a triple that is not an entity of the projection.
pub const RESOURCE: NodeLook = look(10, "Other resource", "ellipse");
/// A literal object of a triple.
pub const LITERAL: NodeLook = look(11, "Literal", "plaintext");

/// The look of an entity, from its kind and, for organisations, its most specific type. A company that also invests
/// stays a company; an organisation with no known type is drawn as a company.
pub fn node_look(n: &Node) -> NodeLook {
    let has = |t: &str| n.types.iter().any(|x| x == t);
    match n.kind {
        NodeKind::Organization if has("GovernmentBody") => GOVERNMENT,
        NodeKind::Organization if has("Alliance") => ALLIANCE,
        NodeKind::Organization if has("EducationBody") => EDUCATION,
        NodeKind::Organization if has("Investor") && !has("Company") => INVESTOR,
        NodeKind::Organization => COMPANY,
        NodeKind::Person => PERSON,
        NodeKind::Product => PRODUCT,
        NodeKind::Technology => TECHNOLOGY,
        NodeKind::Programme => PROGRAMME,
        NodeKind::Country => COUNTRY,
    }
}

/// Light fills, dark text stays readable on each.
const PALETTE: [&str; 24] = [
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#fdd0a2",
    "#c7e9c0", "#bcbddc", "#fcbba1", "#d9f0a3", "#a6bddb", "#fee391", "#d4b9da", "#ccebc5", "#fddaec", "#b3e2cd",
    "#e5d8bd", "#f1e2cc", "#cbd5e8", "#e6f5c9",
];

/// Countries with a reserved colour; the others get one from their code.
const FIXED: [(&str, usize); 16] = [
    ("US", 0),
    ("CN", 3),
    ("JP", 1),
    ("KR", 2),
    ("GB", 4),
    ("DE", 5),
    ("FR", 6),
    ("IN", 7),
    ("CA", 8),
    ("SG", 9),
    ("AE", 10),
    ("SA", 11),
    ("FI", 12),
    ("IL", 13),
    ("TW", 14),
    ("HK", 15),
];

/// Fill for entities with no known country.
pub const NO_COUNTRY: &str = "#ffffff";

/// The fill colour of a country (ISO 3166-1 alpha-2, any case): a reserved colour for the main countries of the
/// field, otherwise one chosen from the code by a fixed hash, so the same in every map.
pub fn country_colour(code: &str) -> &'static str {
    let code = code.to_ascii_uppercase();
    if let Some(&(_, i)) = FIXED.iter().find(|(c, _)| *c == code) {
        return PALETTE[i];
    }
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let mut h: u32 = 0x811c_9dc5;
    for b in code.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    PALETTE[h as usize % PALETTE.len()]
}

/// How a relation is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeLook {
    pub style: &'static str,
    pub color: &'static str,
    pub arrowhead: &'static str,
    /// Drawn without direction (partnerships, locations).
    pub undirected: bool,
}

const fn edge_look(style: &'static str, color: &'static str, arrowhead: &'static str, undirected: bool) -> EdgeLook {
    EdgeLook { style, color, arrowhead, undirected }
}

/// Solid for investments, bold for acquisitions, dashed for stakes, dotted for subsidiaries, and so on.
pub fn relation_look(kind: EdgeKind) -> EdgeLook {
    match kind {
        EdgeKind::InvestsIn => edge_look("solid", "#1f77b4", "normal", false),
        EdgeKind::Acquires => edge_look("bold", "#d62728", "normal", false),
        EdgeKind::HoldsStakeIn => edge_look("dashed", "#9467bd", "normal", false),
        EdgeKind::SubsidiaryOf => edge_look("dotted", "#555555", "empty", false),
        EdgeKind::MemberOf => edge_look("solid", "#17becf", "odiamond", false),
        EdgeKind::Develops => edge_look("solid", "#2ca02c", "vee", false),
        EdgeKind::UsesTechnology => edge_look("dashed", "#8c8c00", "onormal", false),
        EdgeKind::PartnersWith => edge_look("solid", "#ff7f0e", "none", true),
        EdgeKind::LocatedIn => edge_look("dotted", "#8c564b", "none", true),
        EdgeKind::Funds => edge_look("solid", "#b8860b", "normal", false),
    }
}

/// The relation's name in prose: `invests in`.
pub fn relation_words(kind: EdgeKind) -> String {
    kind.name().replace('-', " ")
}

/// First year with its own colour; earlier years share it.
pub const FIRST_YEAR: i32 = 2015;
/// Last year with its own colour; later years share it.
pub const LAST_YEAR: i32 = FIRST_YEAR + YEARS.len() as i32 - 1;
const YEARS: [&str; 12] = [
    "#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26",
    "#e0c31a", "#fd8d3c",
];
/// Colour of undated edges.
pub const NO_YEAR: &str = "#999999";

/// The line colour of an event of the given year: 2015 and before share the first colour, 2026 and after the last.
pub fn year_colour(year: Option<i32>) -> &'static str {
    match year {
        None => NO_YEAR,
        Some(y) => YEARS[(y - FIRST_YEAR).clamp(0, YEARS.len() as i32 - 1) as usize],
    }
}

/// Line width for an amount in USD, on a log scale: 1 up to $1M, then one more per factor of ten, at most 6.
pub fn amount_width(amount_usd: Option<f64>) -> f64 {
    match amount_usd {
        Some(a) if a > 1e6 => (1.0 + (a / 1e6).log10()).min(6.0),
        _ => 1.0,
    }
}

/// Short USD amount: `$150M`, `$1.6B`, `$500K`, `$950`.
pub fn format_usd(amount: f64) -> String {
    let (value, unit) = if amount >= 1e9 {
        (amount / 1e9, "B")
    } else if amount >= 1e6 {
        (amount / 1e6, "M")
    } else if amount >= 1e3 {
        (amount / 1e3, "K")
    } else {
        (amount, "")
    };
    let mut s = format!("{value:.1}");
    if s.ends_with(".0") {
        s.truncate(s.len() - 2);
    }
    format!("${s}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        for (amount, expected) in [
            (150e6, "$150M"),
            (1.625e9, "$1.6B"),
            (68.7e9, "$68.7B"),
            (10e9, "$10B"),
            (2.5e6, "$2.5M"),
            (500e3, "$500K"),
            (950.0, "$950"),
        ] {
            assert_eq!(format_usd(amount), expected);
        }
    }

    #[test]
    fn widths_grow_by_one_per_decade() {
        assert_eq!(amount_width(None), 1.0);
        assert_eq!(amount_width(Some(5e5)), 1.0);
        assert_eq!(amount_width(Some(1e7)), 2.0);
        assert_eq!(amount_width(Some(1e9)), 4.0);
        assert_eq!(amount_width(Some(1e15)), 6.0);
    }

    #[test]
    fn years_are_clamped() {
        assert_eq!(year_colour(Some(1999)), YEARS[0]);
        assert_eq!(year_colour(Some(2021)), YEARS[6]);
        assert_eq!(year_colour(Some(2100)), YEARS[11]);
        assert_eq!(year_colour(None), NO_YEAR);
    }

    #[test]
    fn country_colours_are_fixed() {
        assert_eq!(country_colour("KR"), "#98df8a");
        assert_eq!(country_colour("kr"), "#98df8a");
        assert_eq!(country_colour("NZ"), country_colour("NZ"));
        assert!(PALETTE.contains(&country_colour("ZZ")));
    }

    #[test]
    fn looks_follow_the_most_specific_type() {
        let mut n = Node::new("x", NodeKind::Organization, "X");
        assert_eq!(node_look(&n), COMPANY);
        n.types = vec!["Investor".into()];
        assert_eq!(node_look(&n), INVESTOR);
        n.types.push("Company".into());
        assert_eq!(node_look(&n), COMPANY);
        n.types.push("GovernmentBody".into());
        assert_eq!(node_look(&n), GOVERNMENT);
        assert_eq!(layer_name(1), Some("Experience"));
        assert_eq!(layer_name(7), Some("Infrastructure"));
        assert_eq!(layer_name(0), None);
        assert_eq!(layer_name(8), None);
    }
}
