//! The `mutations` suite: how well teikit's diagnostics locate and explain errors that were
//! put into valid documents on purpose.
//!
//! Valid documents (checked with teikit first): DTA letters with `basisformat_ms.rng`, DTA
//! prints with `basisformat.rng`, Bodleian records with `msdesc.rng`, the TEI Publisher
//! samples, the seed reference and DTA documents with tei_all 4.12 (the base-format schemas
//! are older than most DTA documents and reject them), at most [`DOCS_PER_CORPUS`] per schema
//! and corpus. Each document gets deterministic
//! mutations of these kinds (at most [`PER_KIND`] each, spread over the document):
//!
//! - `misspelled-element`: two adjacent letters swapped in an element name (start and end tag);
//! - `miscased-element`: an element name with capitals written in lower case;
//! - `misplaced-element`: a copy of `<titleStmt>` put at the start of the first `<p>` of the text;
//! - `missing-child`: a required `<publicationStmt>` or `<sourceDesc>` deleted;
//! - `unknown-attribute`: `colour="red"` added to an element;
//! - `misspelled-attribute`: an attribute name misspelled (`n` → `nn`, `type` → `tpye`);
//! - `bad-enum`: a value of an attribute with a closed value list misspelled;
//! - `bad-date`: a `YYYY-MM-DD` date with day > 12 written `YYYY-DD-MM` (month out of range);
//! - `duplicate-id`: an `xml:id` set to an earlier element's;
//! - `dangling-idref`: an IDREF-typed value pointing nowhere (only where the schema has IDREFs).
//!
//! Each mutation knows the line where an error must be reported: the mutated name or value,
//! the inserted element, or (for a deletion) the start tag of the next sibling element, or the
//! parent's end tag when there is none. A case `mutations/<kind>/<doc>/<n>` passes when teikit
//! reports at least one error and the first one is on that line. Also measured (printed, not
//! asserted): diagnostics per mutation and, where the mutation has an obvious fix
//! (misspellings, case, enumerated values, dates, the missing element), whether the message,
//! help or label names it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use teikit_diagnostics::{Diagnostic, LineIndex, Severity};
use teikit_relaxng::{IdType, LoadOptions, NameClass, Pattern, Schema};

use super::SuiteResult;

/// At most this many mutations of one kind per document.
const PER_KIND: usize = 2;
/// At most this many documents per (schema, corpus).
const DOCS_PER_CORPUS: usize = 10;

const TEI_NS: &str = "http://www.tei-c.org/ns/1.0";

/// One mutated document.
pub(crate) struct Mutant {
    /// The mutation kind (`misspelled-element`, …).
    pub kind: &'static str,
    /// The source document's label (`dta/soldatenbriefe/…`).
    pub doc: String,
    /// Index among the mutations of this kind on this document.
    pub n: usize,
    /// The mutated document.
    pub text: String,
    /// 1-based line where the first error belongs.
    pub line: usize,
    /// What a good diagnostic suggests or names (`<persName>`, `@n`, `"high"`, a date).
    pub suggestion: Option<String>,
    /// A one-line description of the mutation.
    pub what: String,
}

impl Mutant {
    pub fn case_name(&self) -> String {
        format!("mutations/{}/{}/{}", self.kind, self.doc, self.n)
    }
}

/// A schema with the valid documents chosen for it and their mutations.
pub(crate) struct Job {
    pub tag: &'static str,
    pub schema_path: PathBuf,
    pub grammar: teikit_validate::Grammar,
    pub mutants: Vec<Mutant>,
}

pub fn run(shared: &Path) -> anyhow::Result<SuiteResult> {
    let jobs = jobs(shared)?;
    let mut result = SuiteResult::new();
    let mut stats: BTreeMap<&str, Stats> = BTreeMap::new();
    let mut docs = BTreeSet::new();
    for job in &jobs {
        for m in &job.mutants {
            docs.insert(m.doc.clone());
            let errors = validate(&job.grammar, &m.text);
            let index = LineIndex::new(m.text.as_bytes());
            let first_line = errors
                .first()
                .and_then(|d| d.primary_span())
                .map(|s| index.line(s.offset));
            let st = stats.entry(m.kind).or_default();
            st.mutations += 1;
            st.diagnostics += errors.len();
            let found = !errors.is_empty();
            let right_line = first_line == Some(m.line);
            st.found += usize::from(found);
            st.right_line += usize::from(right_line);
            if let Some(s) = &m.suggestion {
                st.suggestible += 1;
                if errors.first().is_some_and(|d| names(d, s)) {
                    st.suggested += 1;
                }
            }
            if std::env::var("MUTATIONS_SHOW").is_ok_and(|k| k == m.kind) {
                println!("{} ({})", m.case_name(), m.what);
                for d in &errors {
                    println!(
                        "    {}: {} | help: {} | expected: {}",
                        d.code,
                        d.message,
                        d.help.as_deref().unwrap_or("-"),
                        d.expected.join(", ")
                    );
                }
            }
            let outcome = if !found {
                Err(format!("no error found ({})", m.what))
            } else if !right_line {
                let d = &errors[0];
                Err(format!(
                    "first error on line {} instead of {} ({}): {}",
                    first_line.unwrap_or(0),
                    m.line,
                    m.what,
                    d.message
                ))
            } else {
                Ok(())
            };
            result.record(m.case_name(), outcome);
        }
    }
    let mut total = Stats::default();
    println!(
        "mutations: {} documents; per kind: mutations, found, right line, diagnostics/mutation, suggestion right",
        docs.len()
    );
    for (kind, s) in &stats {
        println!("  {kind:<22} {}", s.line());
        total.add(s);
    }
    println!("  {:<22} {}", "all", total.line());
    Ok(result)
}

#[derive(Default)]
struct Stats {
    mutations: usize,
    found: usize,
    right_line: usize,
    diagnostics: usize,
    suggestible: usize,
    suggested: usize,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.mutations += o.mutations;
        self.found += o.found;
        self.right_line += o.right_line;
        self.diagnostics += o.diagnostics;
        self.suggestible += o.suggestible;
        self.suggested += o.suggested;
    }

    fn line(&self) -> String {
        let pct = |a: usize, b: usize| {
            if b == 0 {
                "    -".to_string()
            } else {
                format!("{:5.1}%", 100.0 * a as f64 / b as f64)
            }
        };
        format!(
            "{:>4} | found {} | right line {} | {:.2} diags/mutation | suggestion {} of {}",
            self.mutations,
            pct(self.found, self.mutations),
            pct(self.right_line, self.mutations),
            self.diagnostics as f64 / self.mutations.max(1) as f64,
            pct(self.suggested, self.suggestible),
            self.suggestible,
        )
    }
}

/// Does the diagnostic name `what` (in its message, help or expected list)?
fn names(d: &Diagnostic, what: &str) -> bool {
    d.message.contains(what)
        || d.help.as_deref().is_some_and(|h| h.contains(what))
        || d.expected.first().is_some_and(|e| {
            // the top-ranked expected item, written the way the suggestion is
            let bare = what.trim_matches(|c| matches!(c, '<' | '>' | '@'));
            e == bare || e == what
        })
}

/// Validates; the errors sorted by offset (a document that does not parse gives that error).
pub(crate) fn validate(grammar: &teikit_validate::Grammar, text: &str) -> Vec<Diagnostic> {
    let mut errors: Vec<Diagnostic> = match teikit_xml::read(text, &Default::default()) {
        Ok(doc) => grammar
            .validate(&doc)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect(),
        Err(d) => vec![d],
    };
    errors.sort_by_key(|d| d.primary_span().map(|s| s.offset));
    errors
}

/// Labelled document paths.
type Docs = Vec<(String, PathBuf)>;

/// Loads the schemas, picks valid documents and mutates them.
pub(crate) fn jobs(shared: &Path) -> anyhow::Result<Vec<Job>> {
    let corpora = shared.join("corpora");
    let dta = corpora.join("dta");
    let specs: Vec<(&'static str, PathBuf, Docs)> = vec![
        (
            "basisformat_ms.rng",
            dta.join("schemas/basisformat_ms.rng"),
            manifest_docs(&dta, "dta", |p| {
                p.starts_with("soldatenbriefe/") || p.starts_with("copadocs/")
            })?,
        ),
        (
            "basisformat.rng",
            dta.join("schemas/basisformat.rng"),
            manifest_docs(&dta, "dta", |p| p.starts_with("dta-prints/"))?,
        ),
        (
            "msdesc.rng",
            corpora.join("bodleian-msdesc/schema/msdesc.rng"),
            manifest_docs(&corpora.join("bodleian-msdesc"), "bodleian-msdesc", |_| {
                true
            })?,
        ),
        (
            "tei_all-4.12.rng",
            shared.join("schemas/tei/p5-4.12.0/tei_all.rng"),
            {
                let mut docs = manifest_docs(
                    &corpora.join("tei-publisher-samples"),
                    "tei-publisher-samples",
                    |_| true,
                )?;
                docs.insert(
                    0,
                    (
                        "design/seed-reference.tei.xml".to_string(),
                        shared.join("design/seed-reference.tei.xml"),
                    ),
                );
                // DTA documents that the (older) base-format schemas reject are TEI all the same
                docs.extend(manifest_docs(&dta, "dta", |_| true)?);
                docs
            },
        ),
    ];
    let mut jobs = Vec::new();
    for (tag, schema_path, docs) in specs {
        let schema = teikit_relaxng::load(&schema_path, &LoadOptions::default())
            .map_err(|e| anyhow::anyhow!("{}: {} errors", schema_path.display(), e.errors.len()))?;
        let facts = SchemaFacts::of(&schema);
        let grammar = teikit_validate::Grammar::new(schema);
        let mut mutants = Vec::new();
        let mut taken = 0;
        let mut per_corpus: BTreeMap<String, usize> = BTreeMap::new();
        for (label, path) in docs {
            let corpus = label.split('/').next().unwrap_or("").to_string();
            if per_corpus.get(&corpus).copied().unwrap_or(0) == DOCS_PER_CORPUS {
                continue;
            }
            let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
            let Ok(text) = teikit_xml::decode(&bytes) else {
                continue;
            };
            // Only documents that are valid as they are, and not too big to mutate often.
            if text.len() > 400_000 || !validate(&grammar, &text).is_empty() {
                continue;
            }
            taken += 1;
            *per_corpus.entry(corpus).or_default() += 1;
            mutants.extend(mutate(&label, &text, &facts));
        }
        println!("mutations: {tag}: {taken} valid documents");
        jobs.push(Job {
            tag,
            schema_path,
            grammar,
            mutants,
        });
    }
    Ok(jobs)
}

fn manifest_docs(
    dir: &Path,
    corpus: &str,
    keep: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let manifest = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("reading {}", manifest.display()))?;
    let mut docs = Vec::new();
    for line in text.lines().skip(1) {
        let Some(rel) = line.split('\t').next() else {
            continue;
        };
        let is_doc = rel.ends_with(".xml") || rel.ends_with(".tei");
        let in_schema_dir = rel.starts_with("schema/") || rel.starts_with("schemas/");
        if is_doc && !in_schema_dir && keep(rel) {
            docs.push((format!("{corpus}/{rel}"), dir.join(rel)));
        }
    }
    docs.sort();
    Ok(docs)
}

/// What the mutations need to know about a schema.
struct SchemaFacts {
    /// Local names of every element the schema names.
    elements: BTreeSet<String>,
    /// Local names of every attribute the schema names.
    attributes: BTreeSet<String>,
    /// (element, attribute) local names → the closed list of values.
    enums: BTreeMap<(String, String), Vec<String>>,
    /// (element, attribute) local names of IDREF(S) attributes.
    idrefs: BTreeSet<(String, String)>,
}

impl SchemaFacts {
    fn of(schema: &Schema) -> SchemaFacts {
        let mut f = SchemaFacts {
            elements: BTreeSet::new(),
            attributes: BTreeSet::new(),
            enums: BTreeMap::new(),
            idrefs: BTreeSet::new(),
        };
        for d in &schema.defines {
            let mut els = Vec::new();
            class_locals(&d.name_class, &mut els);
            f.elements.extend(els.iter().cloned());
            let mut attrs = Vec::new();
            walk(&d.content, &mut attrs, &mut f.attributes);
            for (a, values) in attrs {
                for e in &els {
                    f.enums
                        .entry((e.clone(), a.clone()))
                        .or_insert_with(|| values.clone());
                }
            }
        }
        for (e, a, t) in &schema.id_types {
            if matches!(t, IdType::Idref | IdType::Idrefs) {
                f.idrefs.insert((e.local.clone(), a.local.clone()));
            }
        }
        f
    }
}

fn class_locals(nc: &NameClass, out: &mut Vec<String>) {
    match nc {
        NameClass::Name(q) => out.push(q.local.clone()),
        NameClass::Choice(a, b) => {
            class_locals(a, out);
            class_locals(b, out);
        }
        _ => {}
    }
}

/// Attributes of an element's content (not through refs): names, and closed value lists.
fn walk(p: &Pattern, enums: &mut Vec<(String, Vec<String>)>, names: &mut BTreeSet<String>) {
    match p {
        Pattern::Choice(v) | Pattern::Group(v) | Pattern::Interleave(v) => {
            for q in v {
                walk(q, enums, names);
            }
        }
        Pattern::OneOrMore(q) => walk(q, enums, names),
        Pattern::Attribute { name, content, .. } => {
            let mut locals = Vec::new();
            class_locals(name, &mut locals);
            names.extend(locals.iter().cloned());
            let mut values = Vec::new();
            if let (true, [a]) = (closed_values(content, &mut values), locals.as_slice()) {
                if values.len() >= 2 {
                    enums.push((a.clone(), values));
                }
            }
        }
        _ => {}
    }
}

/// Collects the values of a pattern that is only a choice of values.
fn closed_values(p: &Pattern, out: &mut Vec<String>) -> bool {
    match p {
        Pattern::Value { value, .. } => {
            out.push(value.clone());
            true
        }
        Pattern::Choice(v) => v.iter().all(|q| closed_values(q, out)),
        _ => false,
    }
}

/// Picks up to `k` items spread evenly over `items`.
fn spread<T: Clone>(items: &[T], k: usize) -> Vec<T> {
    let n = items.len();
    if n <= k {
        return items.to_vec();
    }
    (0..k)
        .map(|i| items[(2 * i + 1) * n / (2 * k)].clone())
        .collect()
}

/// Swaps two adjacent different letters near the middle; `None` when every letter is the same.
fn misspell(name: &str) -> Option<String> {
    let c: Vec<char> = name.chars().collect();
    if c.len() < 3 {
        return None;
    }
    let mid = c.len() / 2;
    let order = (mid..c.len() - 1).chain((1..mid).rev());
    for i in order {
        if c[i] != c[i + 1] && c[i].is_alphabetic() && c[i + 1].is_alphabetic() {
            let mut d = c.clone();
            d.swap(i, i + 1);
            return Some(d.into_iter().collect());
        }
    }
    None
}

/// A start tag's name span (byte range of the qname after `<`).
fn name_range(text: &str, start: usize) -> std::ops::Range<usize> {
    let s = start + 1;
    let len = text[s..]
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(0);
    s..s + len
}

/// The end tag's name range of a non-empty element.
fn end_name_range(
    text: &str,
    node: teikit_xml::tree::Node<'_, '_>,
) -> Option<std::ops::Range<usize>> {
    let r = node.range();
    if text[..r.end].ends_with("/>") {
        return None;
    }
    let lt = text[r.start..r.end].rfind("</")? + r.start;
    let s = lt + 2;
    let len = text[s..].find(|c: char| c.is_whitespace() || c == '>')?;
    Some(s..s + len)
}

/// Applies edits (non-overlapping byte ranges → replacement) to `text`.
fn apply(text: &str, mut edits: Vec<(std::ops::Range<usize>, String)>) -> String {
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (r, s) in edits {
        out.replace_range(r, &s);
    }
    out
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

/// Every mutation of one document.
fn mutate(label: &str, text: &str, facts: &SchemaFacts) -> Vec<Mutant> {
    let Ok(doc) = teikit_xml::read(text, &Default::default()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |kind: &'static str,
                    n: usize,
                    text: String,
                    line: usize,
                    suggestion: Option<String>,
                    what: String| {
        out.push(Mutant {
            kind,
            doc: label.to_string(),
            n,
            text,
            line,
            suggestion,
            what,
        })
    };
    let elements: Vec<teikit_xml::tree::Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.is_element() && n.parent().is_some_and(|p| p.is_element()))
        .filter(|n| n.tag_name().namespace() == Some(TEI_NS))
        .collect();
    let rename = |n: teikit_xml::tree::Node<'_, '_>, new: &str| -> (String, usize) {
        let r = n.range();
        let start = name_range(text, r.start);
        let qname = &text[start.clone()];
        let prefix_len = qname.len() - n.tag_name().name().len();
        let mut edits = vec![(start.start + prefix_len..start.end, new.to_string())];
        if let Some(e) = end_name_range(text, n) {
            edits.push((e.start + prefix_len..e.end, new.to_string()));
        }
        (apply(text, edits), line_of(text, r.start))
    };

    // misspelled-element
    let cands: Vec<_> = elements
        .iter()
        .filter(|n| n.tag_name().name().len() >= 4)
        .filter_map(|&n| {
            let m = misspell(n.tag_name().name())?;
            (!facts.elements.contains(&m) && m.to_lowercase() != n.tag_name().name().to_lowercase())
                .then_some((n, m))
        })
        .collect();
    for (i, (n, m)) in spread(&cands, PER_KIND).into_iter().enumerate() {
        let (t, line) = rename(n, &m);
        let orig = n.tag_name().name();
        push(
            "misspelled-element",
            i,
            t,
            line,
            Some(format!("<{orig}>")),
            format!("<{orig}> → <{m}>"),
        );
    }

    // miscased-element
    let cands: Vec<_> = elements
        .iter()
        .filter(|n| n.tag_name().name().chars().any(char::is_uppercase))
        .filter(|n| !facts.elements.contains(&n.tag_name().name().to_lowercase()))
        .copied()
        .collect();
    for (i, n) in spread(&cands, PER_KIND).into_iter().enumerate() {
        let orig = n.tag_name().name();
        let lower = orig.to_lowercase();
        let (t, line) = rename(n, &lower);
        push(
            "miscased-element",
            i,
            t,
            line,
            Some(format!("<{orig}>")),
            format!("<{orig}> → <{lower}>"),
        );
    }

    // misplaced-element: a copy of <titleStmt> at the start of the first <p> of <text>
    let title_stmt = elements.iter().find(|n| n.tag_name().name() == "titleStmt");
    let first_p = doc
        .descendants()
        .find(|n| n.tag_name().name() == "text" && n.tag_name().namespace() == Some(TEI_NS))
        .and_then(|t| {
            t.descendants()
                .find(|n| n.tag_name().name() == "p" && !text[..n.range().end].ends_with("/>"))
        });
    if let (Some(ts), Some(p)) = (title_stmt, first_p) {
        let copy = strip_ids(&text[ts.range()]);
        let at = text[p.range()].find('>').map(|i| p.range().start + i + 1);
        if let Some(at) = at {
            let t = apply(text, vec![(at..at, copy)]);
            let line = line_of(text, at);
            push(
                "misplaced-element",
                0,
                t,
                line,
                None,
                format!("<titleStmt> copied into <p> (line {line})"),
            );
        }
    }

    // missing-child: delete <publicationStmt> or <sourceDesc>
    let mut n = 0;
    for name in ["publicationStmt", "sourceDesc"] {
        let Some(el) = elements.iter().find(|e| e.tag_name().name() == name) else {
            continue;
        };
        // only when it is the only one of its name among its siblings
        let parent = el.parent().expect("has a parent element");
        if parent
            .children()
            .filter(|c| c.tag_name() == el.tag_name())
            .count()
            != 1
        {
            continue;
        }
        let r = el.range();
        let t = apply(text, vec![(r.clone(), String::new())]);
        let line = match el.next_sibling_element() {
            Some(s) => line_of(text, s.range().start) - newlines(&text[r.clone()]),
            None => match end_name_range(text, parent) {
                Some(e) => line_of(text, e.start) - newlines(&text[r.clone()]),
                None => continue,
            },
        };
        push(
            "missing-child",
            n,
            t,
            line,
            Some(format!("<{name}>")),
            format!("<{name}> deleted"),
        );
        n += 1;
    }

    // unknown-attribute
    let cands: Vec<_> = elements
        .iter()
        .filter(|n| !n.attributes().any(|a| a.name() == "colour"))
        .copied()
        .collect();
    for (i, n) in spread(&cands, PER_KIND).into_iter().enumerate() {
        let at = name_range(text, n.range().start).end;
        let t = apply(text, vec![(at..at, " colour=\"red\"".to_string())]);
        push(
            "unknown-attribute",
            i,
            t,
            line_of(text, at),
            None,
            format!("@colour added to <{}>", n.tag_name().name()),
        );
    }

    // misspelled-attribute
    let mut cands = Vec::new();
    for n in &elements {
        for a in n.attributes() {
            if a.namespace().is_some() {
                continue;
            }
            let name = a.name();
            let m = if name.len() < 3 {
                format!("{name}{}", &name[name.len() - 1..])
            } else {
                match misspell(name) {
                    Some(m) => m,
                    None => continue,
                }
            };
            if facts.attributes.contains(&m) || n.attributes().any(|a| a.name() == m.as_str()) {
                continue;
            }
            cands.push((a.range_qname(), name.to_string(), m));
        }
    }
    for (i, (r, orig, m)) in spread(&cands, PER_KIND).into_iter().enumerate() {
        let line = line_of(text, r.start);
        let t = apply(text, vec![(r, m.clone())]);
        push(
            "misspelled-attribute",
            i,
            t,
            line,
            Some(format!("@{orig}")),
            format!("@{orig} → @{m}"),
        );
    }

    // bad-enum
    let mut cands = Vec::new();
    for n in &elements {
        for a in n.attributes() {
            if a.namespace().is_some() {
                continue;
            }
            let key = (n.tag_name().name().to_string(), a.name().to_string());
            let Some(values) = facts.enums.get(&key) else {
                continue;
            };
            if !values.iter().any(|v| v == a.value()) {
                continue;
            }
            let Some(m) = misspell(a.value()) else {
                continue;
            };
            if values.contains(&m) {
                continue;
            }
            cands.push((a.range_value(), a.value().to_string(), m, key));
        }
    }
    for (i, (r, orig, m, (e, a))) in spread(&cands, PER_KIND).into_iter().enumerate() {
        let line = line_of(text, r.start);
        let t = apply(text, vec![(r, m.clone())]);
        push(
            "bad-enum",
            i,
            t,
            line,
            Some(format!("\"{orig}\"")),
            format!("<{e} {a}=\"{orig}\"> → \"{m}\""),
        );
    }

    // bad-date
    let mut cands = Vec::new();
    for n in &elements {
        for a in n.attributes() {
            if !matches!(a.name(), "when" | "notBefore" | "notAfter" | "from" | "to")
                || a.namespace().is_some()
            {
                continue;
            }
            let v = a.value();
            let b = v.as_bytes();
            if v.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && v.bytes()
                    .enumerate()
                    .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
            {
                let day: u32 = v[8..].parse().unwrap_or(0);
                if day > 12 {
                    let m = format!("{}-{}-{}", &v[..4], &v[8..], &v[5..7]);
                    cands.push((a.range_value(), v.to_string(), m));
                }
            }
        }
    }
    for (i, (r, orig, m)) in spread(&cands, PER_KIND).into_iter().enumerate() {
        let line = line_of(text, r.start);
        let t = apply(text, vec![(r, m.clone())]);
        push(
            "bad-date",
            i,
            t,
            line,
            Some(orig.clone()),
            format!("\"{orig}\" → \"{m}\""),
        );
    }

    // duplicate-id: a later element takes an earlier one's xml:id
    let ids: Vec<_> = elements
        .iter()
        .filter_map(|n| {
            n.attributes().find(|a| {
                a.namespace() == Some("http://www.w3.org/XML/1998/namespace") && a.name() == "id"
            })
        })
        .collect();
    if ids.len() >= 2 {
        let pairs: Vec<(usize, usize)> = (1..ids.len()).map(|j| (j - 1, j)).collect();
        for (i, (a, b)) in spread(&pairs, PER_KIND).into_iter().enumerate() {
            let r = ids[b].range_value();
            let line = line_of(text, r.start);
            let t = apply(text, vec![(r, ids[a].value().to_string())]);
            push(
                "duplicate-id",
                i,
                t,
                line,
                None,
                format!("xml:id=\"{}\" used twice", ids[a].value()),
            );
        }
    }

    // dangling-idref
    let mut cands = Vec::new();
    for n in &elements {
        for a in n.attributes() {
            if facts
                .idrefs
                .contains(&(n.tag_name().name().to_string(), a.name().to_string()))
            {
                cands.push((a.range_value(), a.value().to_string()));
            }
        }
    }
    for (i, (r, orig)) in spread(&cands, PER_KIND).into_iter().enumerate() {
        let line = line_of(text, r.start);
        let m = format!("{}x", orig.split_whitespace().next().unwrap_or("id"));
        let t = apply(text, vec![(r, m.clone())]);
        push(
            "dangling-idref",
            i,
            t,
            line,
            None,
            format!("IDREF \"{orig}\" → \"{m}\""),
        );
    }
    out
}

fn newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// Removes `xml:id="…"` attributes from a copied fragment (so that the copy adds one error).
fn strip_ids(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(" xml:id=") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 8..];
        let q = after.chars().next().unwrap_or('"');
        match after[1..].find(q) {
            Some(j) => rest = &after[j + 2..],
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspellings_differ_and_are_deterministic() {
        assert_eq!(misspell("persName").as_deref(), Some("persaNme"));
        assert_eq!(misspell("type").as_deref(), Some("tyep"));
        assert_eq!(misspell("ab"), None);
        assert_eq!(misspell("aaa"), None);
    }

    #[test]
    fn spread_picks_evenly() {
        assert_eq!(spread(&[1, 2, 3, 4, 5, 6, 7, 8], 2), vec![3, 7]);
        assert_eq!(spread(&[1], 2), vec![1]);
    }

    #[test]
    fn strips_ids() {
        assert_eq!(
            strip_ids("<a xml:id=\"x\"><b xml:id='y'/></a>"),
            "<a><b/></a>"
        );
    }
}
