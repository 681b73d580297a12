package intel

// Feed documents the tests load, written after the formats' specifications
// and examples (STIX 2.1 §4 and §9, MISP feed and event JSON).

const testBundle = `{
  "type": "bundle",
  "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
  "objects": [
    {"type": "identity", "spec_version": "2.1", "id": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z", "name": "ACME CERT", "identity_class": "organization"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
     "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
     "name": "C2 server", "description": "Cobalt Strike team server", "indicator_types": ["malicious-activity"],
     "pattern": "[ipv4-addr:value = '203.0.113.66']", "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
     "confidence": 85, "object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"],
     "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"}],
     "external_references": [{"source_name": "acme", "url": "https://cert.example/c2/66"}, {"source_name": "mitre-attack", "external_id": "T1071"}]},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000002",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
     "pattern": "[domain-name:value = 'evil.example' OR url:value = 'http://files.example/payload.exe']", "pattern_type": "stix",
     "valid_from": "2025-01-01T00:00:00Z", "confidence": 40},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000003",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
     "pattern": "[file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F']", "pattern_type": "stix",
     "valid_from": "2025-01-01T00:00:00Z"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000004",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
     "pattern": "[ipv4-addr:value = '198.51.100.0/24']", "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
     "valid_until": "2026-06-01T00:00:00Z", "confidence": 10},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000005",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
     "pattern": "[ipv4-addr:value = '192.0.2.1']", "pattern_type": "stix", "valid_from": "2020-01-01T00:00:00Z",
     "valid_until": "2021-01-01T00:00:00Z"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000006",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z", "revoked": true,
     "pattern": "[ipv4-addr:value = '192.0.2.2']", "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000007",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
     "pattern": "rule x { condition: true }", "pattern_type": "yara", "valid_from": "2025-01-01T00:00:00Z"},
    {"type": "indicator", "spec_version": "2.1", "id": "indicator--1a2b3c4d-0000-4000-8000-000000000008",
     "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
     "pattern": "[ipv4-addr:value = '192.0.2.3'] AND [domain-name:value = 'x.example']", "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z"},
    {"type": "malware", "spec_version": "2.1", "id": "malware--1a2b3c4d-0000-4000-8000-000000000009", "name": "x", "is_family": true}
  ]
}`

const testMISPEvent = `{"Event": {
  "uuid": "5f1e3a4b-1111-4222-8333-944455556666", "info": "Phishing wave", "threat_level_id": "2",
  "Orgc": {"name": "CIRCL"},
  "Tag": [{"name": "tlp:green"}, {"name": "misp-galaxy:mitre-attack-pattern=\"Phishing - T1566\""}],
  "Attribute": [
    {"uuid": "a0000000-0000-4000-8000-000000000001", "type": "ip-dst", "value": "203.0.113.77", "to_ids": true, "comment": "C2"},
    {"uuid": "a0000000-0000-4000-8000-000000000002", "type": "domain", "value": "login-micros0ft.example", "to_ids": "1",
     "Tag": [{"name": "misp:confidence-level=\"usually-confident\""}]},
    {"uuid": "a0000000-0000-4000-8000-000000000003", "type": "ip-src", "value": "192.0.2.50", "to_ids": false},
    {"uuid": "a0000000-0000-4000-8000-000000000004", "type": "email-subject", "value": "Invoice", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000005", "type": "domain|ip", "value": "cdn.bad.example|203.0.113.78", "to_ids": 1}
  ],
  "Object": [{"name": "file", "Attribute": [
    {"uuid": "a0000000-0000-4000-8000-000000000006", "type": "md5", "value": "D41D8CD98F00B204E9800998ECF8427E", "to_ids": true},
    {"uuid": "a0000000-0000-4000-8000-000000000007", "type": "filename|sha1", "value": "x.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709", "to_ids": true}
  ]}]
}}`

const testCSV = `# ACME block list
indicator,type,confidence,description,valid_until,tlp
198.51.100.7,ip,90,scanner,,tlp:amber
10.66.0.0/16,cidr,high,internal range abused,2099-01-01,
evil[.]example,,medium,defanged domain,,
hxxp://dl.bad.example/a.exe,url,,,,
2001:db8::bad,,,,,
275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f,,30,hash,,
192.0.2.9,ip,20,expired,2020-01-01,
not an indicator,,,,,
192.0.2.10,ip,500,bad confidence,,
`
