//! Serialisation of the tree as RELAX NG XML syntax (for inspection and `rnc → rng`).

use crate::{Element, Node, RNG_NS, XML_NS};

impl Element {
    /// The tree as an XML document in the RELAX NG XML syntax. RELAX NG elements use the
    /// default namespace; the root declares the schema's namespace prefixes; a foreign name
    /// whose namespace has no declared prefix gets a generated one (`ns1`, …) declared where
    /// it is used.
    pub fn to_xml(&self) -> String {
        let mut w = Writer {
            out: String::new(),
            prefixes: self
                .ns_context
                .iter()
                .filter(|(p, _)| !p.is_empty())
                .cloned()
                .collect(),
            generated: 0,
        };
        w.element(self, 0, true, true);
        w.out
    }
}

struct Writer {
    out: String,
    prefixes: Vec<(String, String)>,
    generated: usize,
}

impl Writer {
    fn prefix_for(&mut self, ns: &str, decls: &mut Vec<(String, String)>) -> String {
        if ns == XML_NS {
            return "xml".into();
        }
        if let Some((p, _)) = self.prefixes.iter().rev().find(|(_, u)| u == ns) {
            return p.clone();
        }
        if let Some((p, _)) = decls.iter().find(|(_, u)| u == ns) {
            return p.clone();
        }
        let p = loop {
            self.generated += 1;
            let p = format!("ns{}", self.generated);
            if !self.prefixes.iter().any(|(q, _)| *q == p) && !decls.iter().any(|(q, _)| *q == p) {
                break p;
            }
        };
        decls.push((p.clone(), ns.to_string()));
        p
    }

    fn element(&mut self, e: &Element, indent: usize, root: bool, default_rng: bool) {
        let mut decls: Vec<(String, String)> = Vec::new();
        let qname = if (e.ns == RNG_NS && default_rng) || e.ns.is_empty() {
            e.local.clone()
        } else {
            let p = self.prefix_for(&e.ns, &mut decls);
            format!("{p}:{}", e.local)
        };
        let mut attrs = String::new();
        for a in &e.attributes {
            let name = if a.ns.is_empty() {
                a.local.clone()
            } else {
                let p = self.prefix_for(&a.ns, &mut decls);
                format!("{p}:{}", a.local)
            };
            attrs.push_str(&format!(" {name}=\"{}\"", escape(&a.value, true)));
        }
        self.out.push_str(&"  ".repeat(indent));
        self.out.push('<');
        self.out.push_str(&qname);
        if root {
            self.out.push_str(&format!(" xmlns=\"{RNG_NS}\""));
            for (p, u) in &self.prefixes {
                self.out
                    .push_str(&format!(" xmlns:{p}=\"{}\"", escape(u, true)));
            }
        } else if e.ns.is_empty() && default_rng {
            self.out.push_str(" xmlns=\"\"");
        }
        let child_default_rng = if e.ns.is_empty() { false } else { default_rng };
        for (p, u) in &decls {
            self.out
                .push_str(&format!(" xmlns:{p}=\"{}\"", escape(u, true)));
        }
        self.out.push_str(&attrs);
        if e.children.is_empty() {
            self.out.push_str("/>\n");
            return;
        }
        self.out.push('>');
        let only_text = e.children.iter().all(|c| matches!(c, Node::Text(..)));
        if only_text {
            self.out.push_str(&escape(&e.text(), false));
        } else {
            self.out.push('\n');
            for c in &e.children {
                match c {
                    Node::Element(c) => self.element(c, indent + 1, false, child_default_rng),
                    Node::Text(t, _) => {
                        self.out.push_str(&"  ".repeat(indent + 1));
                        self.out.push_str(&escape(t, false));
                        self.out.push('\n');
                    }
                }
            }
            self.out.push_str(&"  ".repeat(indent));
        }
        self.out.push_str(&format!("</{qname}>\n"));
    }
}

fn escape(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' if attr => out.push_str("&#xA;"),
            '\t' if attr => out.push_str("&#x9;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}
