// Package awslog owns the AWS log layouts Vigil imports from object
// stores: CloudTrail log files and VPC Flow Logs, decoded into ECS-named
// event fields. It depends only on internal/event, so a parser registry or
// another source can reuse it.
//
// # CloudTrail
//
// A CloudTrail log file is a JSON object {"Records":[…]} (AWS writes one per
// file, gzip-compressed); exports by other tools hold the records one JSON
// object per line, or as a JSON array. SplitCloudTrail streams the records
// of any of these without holding the file in memory: a hand-written
// scanner finds the boundaries of each record (strings, escapes and
// nesting), and each record is then validated and compacted on its own, so
// one bad record does not lose the others. CloudTrail maps one record:
//
//	eventTime                        → @timestamp (else @timestamp, where exports such
//	                                   as Logstash's moved it)
//	eventName                        → event.action
//	eventSource                      → event.provider
//	awsRegion                        → cloud.region
//	sourceIPAddress                  → source.address, and source.ip when it is an address
//	userAgent                        → user_agent.original
//	errorCode, errorMessage          → aws.cloudtrail.error_code, .error_message;
//	                                   event.outcome failure when present, else success
//	                                   (ConsoleLogin: responseElements.ConsoleLogin, lower-cased)
//	userIdentity.userName            → user.name (else sessionContext.sessionIssuer.userName)
//	userIdentity.principalId         → user.id
//	userIdentity.accountId           → cloud.account.id (else recipientAccountId)
//	userIdentity.type, .arn, …       → aws.cloudtrail.user_identity.type, .arn, .access_key_id,
//	                                   .invoked_by, .session_context.mfa_authenticated,
//	                                   .session_context.creation_date,
//	                                   .session_context.session_issuer.{type,principal_id,arn,account_id}
//	requestParameters, responseElements, additionalEventData, serviceEventDetails
//	                                 → aws.cloudtrail.request_parameters, .response_elements,
//	                                   .additional_eventdata, .service_event_details (the JSON text),
//	                                   and aws.cloudtrail.flattened.<same>.<key path> for each leaf
//	                                   when the object is small (MaxFlattenBytes, MaxFlattenLeaves)
//	resources                        → aws.cloudtrail.resources.arn, .type, .account_id (lists)
//	tlsDetails                       → tls.version_protocol, tls.version, tls.cipher, tls.client.server_name
//	eventID                          → aws.cloudtrail.event_id (event.id stays Vigil's stable id)
//	anything else                    → aws.cloudtrail.<snake_case name>, objects flattened
//
// and sets cloud.provider aws, event.kind event, event.module aws and
// event.dataset aws.cloudtrail. The names follow Elastic's AWS integration,
// so searches and Sigma field mappings written for it work unchanged.
//
// Why the flattening is bounded: every distinct field name becomes a column
// in the store, and request parameters differ across thousands of AWS
// APIs; the JSON text is always kept, so nothing is lost and a search or a
// Sigma "contains" on aws.cloudtrail.request_parameters still sees it all.
//
// # VPC Flow Logs
//
// A flow log file is text, one flow per line, fields separated by spaces;
// its first line names the fields (the default format of version 2, or a
// custom format of versions 2–8). ParseFlowHeader reads that line into a
// FlowFormat, whose Decode maps each line:
//
//	srcaddr, dstaddr       → source.ip/.address, destination.ip/.address
//	srcport, dstport       → source.port, destination.port
//	protocol               → network.iana_number, network.transport (tcp, udp, icmp, …)
//	packets, bytes         → source.packets, source.bytes (and network.packets, network.bytes)
//	start, end             → event.start, event.end; @timestamp is end (the time the
//	                         flow's capture window closed, as Elastic does)
//	action                 → event.action (ACCEPT/REJECT as written), event.type
//	                         [connection, allowed|denied]
//	account-id             → cloud.account.id
//	instance-id            → cloud.instance.id
//	region                 → cloud.region
//	type                   → network.type (ipv4, ipv6, efa)
//	flow-direction         → network.direction (ingress, egress)
//	tcp-flags              → aws.vpcflow.tcp_flags and .tcp_flags_array (fin, syn, …)
//	every other field      → aws.vpcflow.<name with '-' as '_'>
//
// A "-" value means absent (NODATA and SKIPDATA records have little else).
// It sets cloud.provider aws, event.kind event, event.category network,
// event.module aws and event.dataset aws.vpcflow, and related.ip.
package awslog
