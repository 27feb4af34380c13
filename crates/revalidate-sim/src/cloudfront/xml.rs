//! The slice of CloudFront's REST-XML that the proxy reads and writes: the
//! `InvalidationBatch` of a CreateInvalidation request, the `Status` of an
//! `Invalidation`, the `InvalidationList` and the `ErrorResponse` shape.
//!
//! Invariant: text is unescaped when read and escaped when written, and a
//! rewrite changes only the bytes between one element's tags, so whatever
//! else moto puts in a response reaches the client unchanged.

use std::ops::Range;

/// The namespace of every CloudFront 2020-05-31 document.
pub(crate) const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

/// One parsed element: its local name, its unescaped text, its children, and
/// where it sits in the source: `outer` from `<` to the last `>`, `inner`
/// between the tags (`None` for an empty-element tag such as `<Status/>`).
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
    pub(crate) outer: Range<usize>,
    pub(crate) inner: Option<Range<usize>>,
}

impl Element {
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(crate) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of child names below this one.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The text of the child at a path, if present.
    pub(crate) fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).map(|e| e.text.as_str())
    }
}

/// Parses a document into its root element.
pub(crate) fn parse(xml: &str) -> Result<Element, String> {
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    for token in xmlparser::Tokenizer::from(xml) {
        let token = token.map_err(|e| e.to_string())?;
        match token {
            xmlparser::Token::ElementStart { local, span, .. } => stack.push(Element {
                name: local.as_str().to_owned(),
                outer: span.start()..span.end(),
                ..Element::default()
            }),
            xmlparser::Token::ElementEnd { end, span } => match end {
                xmlparser::ElementEnd::Open => {
                    if let Some(top) = stack.last_mut() {
                        top.inner = Some(span.end()..span.end());
                    }
                }
                xmlparser::ElementEnd::Close(..) | xmlparser::ElementEnd::Empty => {
                    let mut done = stack.pop().ok_or("unbalanced end tag")?;
                    done.outer.end = span.end();
                    if let Some(inner) = done.inner.as_mut() {
                        inner.end = span.start();
                    }
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => root = Some(done),
                    }
                }
            },
            xmlparser::Token::Text { text } => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&unescape(text.as_str()));
                }
            }
            xmlparser::Token::Cdata { text, .. } => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(text.as_str());
                }
            }
            _ => {}
        }
    }
    root.ok_or_else(|| "no root element".to_owned())
}

/// What a CreateInvalidation request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) caller_reference: String,
    pub(crate) paths: Vec<String>,
}

/// Reads an `InvalidationBatch` request body.
pub(crate) fn parse_batch(xml: &str) -> Option<Batch> {
    let root = parse(xml).ok()?;
    if root.name != "InvalidationBatch" {
        return None;
    }
    Some(Batch {
        caller_reference: root.text_at(&["CallerReference"])?.to_owned(),
        paths: root
            .at(&["Paths", "Items"])
            .map(|items| {
                items
                    .children_named("Path")
                    .map(|p| p.text.clone())
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Replaces the content of the first element called `name` (searched depth
/// first) with `text`, leaving every other byte as it was.
pub(crate) fn replace_text(xml: &str, name: &str, text: &str) -> Option<String> {
    fn find<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
        if e.name == name {
            return Some(e);
        }
        e.children.iter().find_map(|c| find(c, name))
    }
    let root = parse(xml).ok()?;
    let found = find(&root, name)?;
    let text = escape(text);
    Some(match &found.inner {
        Some(inner) => format!("{}{text}{}", &xml[..inner.start], &xml[inner.end..]),
        None => format!(
            "{}<{name}>{text}</{name}>{}",
            &xml[..found.outer.start],
            &xml[found.outer.end..]
        ),
    })
}

/// One `InvalidationSummary` of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) id: String,
    pub(crate) create_time: String,
    pub(crate) status: String,
}

/// Reads the summaries of an `InvalidationList` response, in document order.
pub(crate) fn parse_summaries(xml: &str) -> Option<Vec<Summary>> {
    let root = parse(xml).ok()?;
    if root.name != "InvalidationList" {
        return None;
    }
    let Some(items) = root.child("Items") else {
        return Some(Vec::new());
    };
    items
        .children_named("InvalidationSummary")
        .map(|s| {
            Some(Summary {
                id: s.text_at(&["Id"])?.to_owned(),
                create_time: s.text_at(&["CreateTime"])?.to_owned(),
                status: s.text_at(&["Status"])?.to_owned(),
            })
        })
        .collect()
}

/// One page of an `InvalidationList`, in the shape of the API reference.
pub(crate) struct ListPage<'a> {
    pub(crate) marker: &'a str,
    pub(crate) next_marker: Option<&'a str>,
    pub(crate) max_items: usize,
    pub(crate) items: &'a [Summary],
}

pub(crate) fn render_list(page: &ListPage<'_>) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InvalidationList xmlns=\"{NS}\"><Marker>{}</Marker>",
        escape(page.marker)
    );
    if let Some(next) = page.next_marker {
        out.push_str(&format!("<NextMarker>{}</NextMarker>", escape(next)));
    }
    out.push_str(&format!(
        "<MaxItems>{}</MaxItems><IsTruncated>{}</IsTruncated><Quantity>{}</Quantity>",
        page.max_items,
        page.next_marker.is_some(),
        page.items.len()
    ));
    if !page.items.is_empty() {
        out.push_str("<Items>");
        for s in page.items {
            out.push_str(&format!(
                "<InvalidationSummary><Id>{}</Id><CreateTime>{}</CreateTime><Status>{}</Status></InvalidationSummary>",
                escape(&s.id),
                escape(&s.create_time),
                escape(&s.status)
            ));
        }
        out.push_str("</Items>");
    }
    out.push_str("</InvalidationList>");
    out
}

/// An error document exactly as CloudFront sends it (and as moto imitates).
pub(crate) fn error_body(
    sender_fault: bool,
    code: &str,
    message: &str,
    request_id: &str,
) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"{NS}\"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        if sender_fault { "Sender" } else { "Receiver" },
        escape(code),
        escape(message),
        escape(request_id)
    )
}

/// The `Code` of an `ErrorResponse`, if the document is one.
pub(crate) fn error_code(xml: &str) -> Option<String> {
    let root = parse(xml).ok()?;
    (root.name == "ErrorResponse").then(|| root.text_at(&["Error", "Code"]).map(str::to_owned))?
}

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out
}

/// Resolves the five predefined entities and numeric character references;
/// anything else is kept as written.
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .map(|hex| u32::from_str_radix(hex, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
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
    fn reads_a_batch_with_escaped_paths() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?><InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Paths><Quantity>3</Quantity><Items><Path>/a?x=1&amp;y=2</Path><Path>/caf&#xE9;</Path><Path>/b*</Path></Items></Paths><CallerReference>ref &lt;1&gt;</CallerReference></InvalidationBatch>"#;
        let batch = parse_batch(xml).unwrap();
        assert_eq!(batch.caller_reference, "ref <1>");
        assert_eq!(batch.paths, ["/a?x=1&y=2", "/café", "/b*"]);
        assert_eq!(parse_batch("<Other/>"), None);
        assert_eq!(parse_batch("not xml"), None);
    }

    #[test]
    fn rewrites_only_the_status() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>ABC</Id><Status>COMPLETED</Status><CreateTime>2026-12-01T22:58:10.564280Z</CreateTime></Invalidation>"#;
        let out = replace_text(xml, "Status", "InProgress").unwrap();
        assert_eq!(out, xml.replace("COMPLETED", "InProgress"));
        let empty = replace_text("<I><Status/></I>", "Status", "Completed").unwrap();
        assert_eq!(empty, "<I><Status>Completed</Status></I>");
        assert_eq!(replace_text("<I/>", "Status", "x"), None);
    }

    #[test]
    fn reads_and_renders_invalidation_lists() {
        let moto = r#"<?xml version="1.0" encoding="utf-8"?>
<InvalidationList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>2</Quantity><Items><InvalidationSummary><Id>A</Id><CreateTime>t1</CreateTime><Status>COMPLETED</Status></InvalidationSummary><InvalidationSummary><Id>B</Id><CreateTime>t2</CreateTime><Status>COMPLETED</Status></InvalidationSummary></Items></InvalidationList>"#;
        let items = parse_summaries(moto).unwrap();
        assert_eq!(
            items.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["A", "B"]
        );
        let empty = r#"<InvalidationList><MaxItems>100</MaxItems><Quantity>0</Quantity></InvalidationList>"#;
        assert_eq!(parse_summaries(empty), Some(Vec::new()));
        let out = render_list(&ListPage {
            marker: "",
            next_marker: Some("A"),
            max_items: 1,
            items: &items[..1],
        });
        let root = parse(&out).unwrap();
        assert_eq!(root.text_at(&["IsTruncated"]), Some("true"));
        assert_eq!(root.text_at(&["NextMarker"]), Some("A"));
        assert_eq!(root.text_at(&["Quantity"]), Some("1"));
        assert_eq!(parse_summaries(&out).unwrap(), items[..1]);
    }

    #[test]
    fn error_documents_round_trip() {
        let body = error_body(true, "Throttling", "Rate <exceeded>", "req-1");
        assert!(body.contains(
            "<Type>Sender</Type><Code>Throttling</Code><Message>Rate &lt;exceeded&gt;</Message>"
        ));
        assert!(body.contains(NS));
        assert_eq!(error_code(&body).as_deref(), Some("Throttling"));
        assert!(error_body(false, "InternalError", "m", "r").contains("<Type>Receiver</Type>"));
        assert_eq!(error_code("<Invalidation/>"), None);
    }

    #[test]
    fn unescape_leaves_unknown_entities_alone() {
        assert_eq!(
            unescape("a&amp;b &#65;&#x42; &bogus; & end"),
            "a&b AB &bogus; & end"
        );
        assert_eq!(escape("a&b<'\">"), "a&amp;b&lt;&apos;&quot;&gt;");
    }
}
