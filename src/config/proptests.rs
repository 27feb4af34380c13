//! Properties of the configuration: any value, of any TOML type or any text, for any key, from
//! the file, a profile or the environment, is refused naming where it was written, or accepted;
//! then every settings builder answers, accepting or refusing. Never a panic.

use proptest::prelude::*;

use super::*;

/// Text of every kind a value is written as: numbers with and without units (huge, negative,
/// zero), sizes, durations, URLs with credentials, choices, lists, selectors, and anything.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        2 => "-?[0-9]{1,25}(\\.[0-9]{1,3})?[a-zA-Z]{0,4}",
        3 => prop::sample::select(vec![
            "", " ", "0", "0s", "1", "-1", "10s", "500ms", "1h30m", "99999999999999999999h",
            "18446744073709551615", "1e3", "32MiB", "0MiB", "0KiB", "99999999999GiB", "auto",
            "AUTO", "true", "yes", "0", "off", "keep", "drop", "identity,gzip", "gzip, br",
            "http://u:p@127.0.0.1:1", "redis://:pw@h", "rediss://h:0/99", "web=http://h/",
            "app=web,,", "app in (a", "web.web.svc:80", "[::1]:3000", "Authorization: x",
            "${UNSET_REVALIDATE_PROPTEST}", "/api/r?p={path}", "{\"p\":\"{path}\"}",
            "023e105f4ecef8ad9ca31a8372d0c353", "PURGE", "PUR GE", ":9102", "a,b,,c",
        ])
        .prop_map(String::from),
    ]
}

fn toml_value() -> impl Strategy<Value = toml::Value> {
    let leaf = prop_oneof![
        2 => any::<i64>().prop_map(toml::Value::Integer),
        2 => (-2i64..20_000).prop_map(toml::Value::Integer),
        1 => any::<bool>().prop_map(toml::Value::Boolean),
        1 => any::<f64>()
            .prop_filter("TOML floats", |f| f.is_finite())
            .prop_map(toml::Value::Float),
        4 => text().prop_map(toml::Value::String),
    ];
    prop_oneof![
        4 => leaf.clone(),
        1 => prop::collection::vec(leaf, 0..3).prop_map(toml::Value::Array),
    ]
}

/// Calls every settings builder; each may refuse, none may panic.
fn build_everything(c: &Config) {
    let _ = c.limits();
    let _ = c.fanout();
    let _ = c.verify();
    let _ = c.cdn();
    let _ = c.cdn_distribution_source();
    let _ = c.redis();
    let _ = c.publish();
    let _ = c.watch_channel();
    let _ = c.agent();
    let _ = c.kubernetes();
    let _ = c.pod_source();
    let _ = c.targets();
    let _ = c.entries();
}

proptest! {
    #[test]
    fn any_value_in_the_file_or_a_profile_is_refused_or_accepted_without_a_panic(
        key in prop::sample::select(KEYS.iter().map(|k| k.name).collect::<Vec<_>>()),
        value in toml_value(),
        in_profile in any::<bool>(),
    ) {
        let mut table = toml::Table::new();
        let mut at = &mut table;
        if in_profile {
            for part in ["profiles", "p"] {
                at = at
                    .entry(part)
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                    .as_table_mut()
                    .expect("a table");
            }
        }
        let (section, name) = key.split_once('.').map_or((None, key), |(s, n)| (Some(s), n));
        if let Some(section) = section {
            at = at
                .entry(section)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("a table");
        }
        at.insert(name.to_string(), value);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("revalidate.toml");
        std::fs::write(&file, toml::to_string(&table).unwrap()).unwrap();
        let profile = in_profile.then_some("p");
        match Config::load(Some(&file), profile, Layer::default(), &|_| None) {
            Ok(c) => build_everything(&c),
            Err(e) => prop_assert!(e.0.contains(name), "{}: {}", key, e),
        }
    }

    #[test]
    fn any_text_in_the_environment_is_refused_or_accepted_without_a_panic(
        var in prop::sample::select(KEYS.iter().filter_map(|k| k.env).collect::<Vec<_>>()),
        value in text(),
    ) {
        let env = |name: &str| (name == var).then(|| value.clone());
        match Config::load(None, None, Layer::default(), &env) {
            Ok(c) => build_everything(&c),
            Err(e) => prop_assert!(e.0.contains(var), "{}: {}", var, e),
        }
    }

    #[test]
    fn durations_and_sizes_are_read_or_refused_without_a_panic(t in text()) {
        let _ = super::value::parse_duration(&t);
        let _ = super::value::parse_size(&t);
    }
}
