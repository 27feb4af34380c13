//! Unit tests of `targets/kubernetes/mod.rs`.

use super::*;

#[test]
fn ports_parse_as_names_or_numbers() {
    assert_eq!(
        PortRef::parse("http").unwrap(),
        PortRef::Name("http".into())
    );
    assert_eq!(PortRef::parse(" 3000 ").unwrap(), PortRef::Number(3000));
    assert!(PortRef::parse("0").is_err());
    assert!(PortRef::parse("70000").is_err());
    assert!(PortRef::parse("HTTP").is_err());
    assert!(PortRef::parse("").is_err());
}

fn svc(ports: serde_json::Value) -> Service {
    serde_json::from_value(
        serde_json::json!({"metadata": {"name": "web"}, "spec": {"ports": ports}}),
    )
    .unwrap()
}

#[test]
fn the_service_port_by_name_number_target_or_alone() {
    let two = svc(serde_json::json!([
        {"name": "http", "port": 80, "targetPort": "http"},
        {"name": "metrics", "port": 9090, "targetPort": 9100},
    ]));
    assert_eq!(
        service_port(&two, "web", None).unwrap_err(),
        "Service web has 2 ports: http (80 → http), metrics (9090 → 9100); choose one with --port NAME or --port NUMBER"
    );
    let name = |s: &str| SlicePort::Name(s.into());
    assert_eq!(
        service_port(&two, "web", Some(&PortRef::Name("http".into()))).unwrap(),
        name("http")
    );
    assert_eq!(
        service_port(&two, "web", Some(&PortRef::Number(80))).unwrap(),
        name("http")
    );
    assert_eq!(
        service_port(&two, "web", Some(&PortRef::Number(9100))).unwrap(),
        name("metrics")
    );
    assert_eq!(
        service_port(&two, "web", Some(&PortRef::Number(3000))).unwrap(),
        SlicePort::Number(3000)
    );
    let e = service_port(&two, "web", Some(&PortRef::Name("grpc".into()))).unwrap_err();
    assert!(
        e.starts_with("Service web has no port named \"grpc\"; its ports: http"),
        "{e}"
    );
    let one = svc(serde_json::json!([{"port": 3000}]));
    assert_eq!(service_port(&one, "web", None).unwrap(), name(""));
    // A container port name the Service targets.
    let aliased = svc(serde_json::json!([{"name": "web", "port": 80, "targetPort": "http"}]));
    assert_eq!(
        service_port(&aliased, "web", Some(&PortRef::Name("http".into()))).unwrap(),
        name("web")
    );
}

#[test]
fn parser_messages_lose_quoted_values() {
    assert_eq!(
        without_quoted("invalid type: string \"sekret-token\", expected a map at line 3"),
        "invalid type: string \"…\", expected a map at line 3"
    );
}
