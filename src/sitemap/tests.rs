use std::io::Write;

use proptest::prelude::*;

use super::parse::{Kind, Loc, LocText, MAX_ENTRIES, MAX_LOC_BYTES, ParseError, parse};
use super::*;

const MAX: u64 = 50 << 20;

/// Every `<loc>` of `doc`, with the kind and entry count.
fn locs(doc: &[u8], max: u64) -> Result<(Kind, usize, Vec<LocText>), ParseError> {
    let mut out = Vec::new();
    let (kind, n) = parse(doc, max, &mut |_, loc: Loc| out.push(loc.text))?;
    Ok((kind, n, out))
}

fn texts(doc: &str) -> Vec<String> {
    let (_, _, got) = locs(doc.as_bytes(), MAX).unwrap_or_else(|e| panic!("{e}: {doc}"));
    got.into_iter()
        .map(|t| match t {
            LocText::Text(s) => s,
            LocText::TooLong(n) => panic!("too long: {n}"),
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn urlset(locs: &[&str]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#,
    );
    for l in locs {
        s.push_str(&format!(
            "<url><loc>{l}</loc><lastmod>2024-01-01</lastmod></url>\n"
        ));
    }
    s.push_str("</urlset>");
    s
}

#[test]
fn a_urlset_gives_its_locs_in_order_entities_decoded_and_trimmed() {
    let doc = urlset(&[
        "https://x.test/a",
        "\n  https://x.test/b?p=1&amp;q=2  \n",
        "https://x.test/&#x63;&#100;",
        "<![CDATA[https://x.test/e?f=1&g=2]]>",
    ]);
    assert_eq!(
        texts(&doc),
        [
            "https://x.test/a",
            "https://x.test/b?p=1&q=2",
            "https://x.test/cd",
            "https://x.test/e?f=1&g=2"
        ]
    );
    let (kind, n, _) = locs(doc.as_bytes(), MAX).unwrap();
    assert_eq!((kind, n), (Kind::UrlSet, 4));
}

#[test]
fn only_an_entrys_own_loc_counts_not_an_images_or_an_alternates() {
    let doc = r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
      <url>
        <loc>https://x.test/a</loc>
        <image:image><image:loc>https://x.test/a.png</image:loc></image:image>
        <xhtml:link rel="alternate" hreflang="de" href="https://x.test/de/a"/>
      </url>
      <!-- <url><loc>https://x.test/commented</loc></url> -->
      <url><loc>https://x.test/b</loc></url>
    </urlset>"#;
    assert_eq!(texts(doc), ["https://x.test/a", "https://x.test/b"]);
}

#[test]
fn a_prefixed_urlset_is_read_by_local_names() {
    let doc = r#"<s:urlset xmlns:s="http://www.sitemaps.org/schemas/sitemap/0.9"><s:url><s:loc>https://x.test/a</s:loc></s:url></s:urlset>"#;
    assert_eq!(texts(doc), ["https://x.test/a"]);
}

#[test]
fn an_index_gives_its_sitemaps() {
    let doc = r#"<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://x.test/s1.xml</loc><lastmod>2024-01-01</lastmod></sitemap>
      <sitemap><loc>https://x.test/s2.xml.gz</loc></sitemap>
    </sitemapindex>"#;
    let (kind, n, got) = locs(doc.as_bytes(), MAX).unwrap();
    assert_eq!((kind, n), (Kind::Index, 2));
    assert_eq!(
        got,
        [
            LocText::Text("https://x.test/s1.xml".into()),
            LocText::Text("https://x.test/s2.xml.gz".into())
        ]
    );
}

#[test]
fn gzip_is_read_once_or_twice_by_its_magic_bytes() {
    let doc = urlset(&["https://x.test/a"]);
    let once = gzip(doc.as_bytes());
    assert_eq!(locs(&once, MAX).unwrap().2.len(), 1);
    // A .xml.gz served with Content-Encoding: gzip.
    let twice = gzip(&once);
    assert_eq!(locs(&twice, MAX).unwrap().2.len(), 1);
}

#[test]
fn the_size_cap_holds_as_read_and_once_gunzipped() {
    let doc = urlset(&["https://x.test/a"; 100]);
    let err = locs(doc.as_bytes(), 1024).unwrap_err().to_string();
    assert!(
        err.contains("larger than 1KiB (--sitemap-max-body"),
        "{err}"
    );
    // A gzip bomb: 64 KiB of zeros in well under 1 KiB, stopped once it passes the cap.
    let bomb = gzip(&vec![b' '; 64 << 10]);
    assert!(bomb.len() < 1024);
    let err = locs(&bomb, 1024).unwrap_err().to_string();
    assert!(err.contains("decompresses to more than 1KiB"), "{err}");
    assert!(locs(doc.as_bytes(), doc.len() as u64).is_ok());
}

#[test]
fn bad_gzip_is_said() {
    let mut g = gzip(urlset(&["https://x.test/a"]).as_bytes());
    g.truncate(g.len() / 2);
    let err = locs(&g, MAX).unwrap_err().to_string();
    assert!(err.contains("is not valid gzip"), "{err}");
}

#[test]
fn what_is_not_a_sitemap_is_named() {
    let cases: [(&str, &str); 9] = [
        ("", "is not XML (no element)"),
        (
            "<!doctype html><html><body>hi</body></html>",
            "its root element is <html>",
        ),
        ("{\"urls\": []}", "is not XML"),
        (
            "<urlset><url><loc>https://x.test/a</loc></url>",
            "ends inside an element",
        ),
        (
            "<urlset><url><loc>https://x.test/a</url></urlset>",
            "is not XML",
        ),
        (
            "<urlset></urlset><urlset></urlset>",
            "a second root element",
        ),
        ("<urlset></urlset>trailing", "text outside any element"),
        (
            "<urlset><url><loc>https://x.test/&nbsp;</loc></url></urlset>",
            "&nbsp;",
        ),
        ("<rss><channel/></rss>", "its root element is <rss>"),
    ];
    for (doc, want) in cases {
        let err = locs(doc.as_bytes(), MAX).unwrap_err().to_string();
        assert!(err.contains(want), "{doc:?}: {err}");
    }
}

#[test]
fn a_dtd_entity_is_never_expanded() {
    let doc = r#"<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<urlset><url><loc>https://x.test/&b;</loc></url></urlset>"#;
    let err = locs(doc.as_bytes(), MAX).unwrap_err().to_string();
    assert!(
        err.contains("the entity &b; is not one of XML's five"),
        "{err}"
    );
}

#[test]
fn more_entries_than_the_protocol_allows_are_refused() {
    let mut doc = String::from("<urlset>");
    for _ in 0..=MAX_ENTRIES {
        doc.push_str("<url><loc>https://x.test/a</loc></url>");
    }
    doc.push_str("</urlset>");
    let err = locs(doc.as_bytes(), MAX).unwrap_err().to_string();
    assert!(err.contains("lists more than 50,000 URLs"), "{err}");
}

#[test]
fn a_loc_too_long_to_keep_is_counted_not_kept() {
    let long = format!("https://x.test/{}", "a".repeat(MAX_LOC_BYTES));
    let (_, _, got) = locs(urlset(&[&long]).as_bytes(), MAX).unwrap();
    assert_eq!(got, [LocText::TooLong(long.len())]);
}

#[test]
fn a_pages_path_keeps_its_query_and_loses_its_host() {
    let u = page_url("https://www.x.test/posts/a%20b?x=1&y=*").unwrap();
    assert_eq!(path_of(&u), "/posts/a%20b?x=1&y=*");
    assert_eq!(path_of(&page_url("https://x.test").unwrap()), "/");
    for (loc, why) in [
        ("/posts/a", "is not a full URL"),
        ("posts/a", "is not a full URL"),
        ("ftp://x.test/a", "is a ftp: URL"),
        ("https://x.test/a\nb", "control character U+000A"),
        ("", "is empty"),
    ] {
        let err = page_url(loc).unwrap_err();
        assert!(err.contains(why), "{loc:?}: {err}");
    }
}

#[test]
fn a_sitemap_url_with_credentials_is_refused_and_not_shown() {
    for url in [
        "https://user:Pw5ecret@x.test/sitemap.xml",
        "https://Pw5ecret@x.test/sitemap.xml",
        "https://user:Pw5/ecret@x.test/sitemap.xml",
    ] {
        let err = Place::of(url).unwrap_err().to_string();
        assert!(err.contains("a user or password"), "{err}");
        assert!(!err.contains("ecret"), "{err}");
    }
    assert!(matches!(
        Place::of("https://x.test/sitemap.xml"),
        Ok(Place::Url(_))
    ));
    assert!(matches!(Place::of("sitemap.xml"), Ok(Place::File(_))));
    let err = Place::of("ftp://x.test/s.xml").unwrap_err().to_string();
    assert!(err.contains("the ftp: scheme is not read"), "{err}");
}

#[test]
fn locs_on_other_hosts_are_refused_with_each_host_counted() {
    let c = Collector::new(vec!["x.test".into()], false, None, MAX);
    let doc = urlset(&[
        "https://x.test/a",
        "https://X.TEST/b",
        "https://evil.test/c",
        "https://evil.test/d",
        "http://other.test/e",
    ]);
    let (c, parsed) = c.run(&mut doc.as_bytes());
    parsed.unwrap();
    let text = c.bad.to_string();
    assert!(
        text.starts_with("has 3 <loc>s on another host than x.test: evil.test (2), other.test (1)"),
        "{text}"
    );
    assert!(text.contains("<loc> 3: \"https://evil.test/c\""), "{text}");
}

#[test]
fn an_index_names_its_sitemaps_on_its_own_origin() {
    let base = Url::parse("http://127.0.0.1:3000/sitemap.xml").unwrap();
    let c = Collector::new(
        vec!["127.0.0.1".into(), "www.x.test".into()],
        true,
        Some(base),
        MAX,
    );
    let doc = r#"<sitemapindex><sitemap><loc>https://www.x.test/s/1.xml?v=2</loc></sitemap></sitemapindex>"#;
    let (c, parsed) = c.run(&mut doc.as_bytes());
    assert_eq!(parsed.unwrap().0, Kind::Index);
    assert!(c.bad.is_empty(), "{}", c.bad);
    let urls: Vec<String> = c.sitemaps.iter().map(|(_, u)| u.to_string()).collect();
    assert_eq!(urls, ["http://127.0.0.1:3000/s/1.xml?v=2"]);
}

/// Text a path segment may hold, XML's special characters included.
fn segment() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._~!$'()*+,;=:@&<>\"-]{0,12}"
}

/// A `<loc>` as a sitemap may write it: every special character escaped, sometimes as a
/// character reference, sometimes inside CDATA, with whitespace around.
fn written(loc: &str, style: u8) -> String {
    match style % 3 {
        0 => loc
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;"),
        1 => loc
            .chars()
            .map(|c| match c {
                '&' | '<' | '>' | '"' | '\'' => format!("&#{};", c as u32),
                c => c.to_string(),
            })
            .collect(),
        _ if !loc.contains("]]>") => format!("<![CDATA[{loc}]]>"),
        _ => written(loc, 0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever a sitemap writes, in any of the ways XML lets it, plain or gzipped, the parser
    /// hands back exactly those locs in order.
    #[test]
    fn every_written_loc_comes_back_as_it_was(
        paths in prop::collection::vec(prop::collection::vec(segment(), 0..4), 0..30),
        styles in prop::collection::vec(any::<u8>(), 30),
        pad in "[ \t\r\n]{0,3}",
        gzipped in any::<bool>(),
    ) {
        let want: Vec<String> = paths
            .iter()
            .map(|segs| format!("https://x.test/{}", segs.join("/")))
            .collect();
        let mut doc = String::from("<?xml version=\"1.0\"?>\n<urlset>");
        for (i, loc) in want.iter().enumerate() {
            doc.push_str(&format!("<url>{pad}<loc>{pad}{}{pad}</loc></url>", written(loc, styles[i])));
        }
        doc.push_str("</urlset>\n");
        let bytes = if gzipped { gzip(doc.as_bytes()) } else { doc.into_bytes() };
        let (kind, n, got) = locs(&bytes, MAX).unwrap();
        prop_assert_eq!(kind, Kind::UrlSet);
        prop_assert_eq!(n, want.len());
        let got: Vec<String> = got.into_iter().map(|t| match t {
            LocText::Text(s) => s,
            LocText::TooLong(n) => format!("too long: {n}"),
        }).collect();
        prop_assert_eq!(got, want);
    }

    /// Any bytes at all: a sitemap, or an error; never a panic, and never more than the cap read.
    #[test]
    fn any_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = locs(&bytes, 1024);
    }
}
