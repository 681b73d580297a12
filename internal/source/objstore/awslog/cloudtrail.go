package awslog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// ErrNotCloudTrail is wrapped by CloudTrail for a JSON object that has none
// of eventTime, eventName and eventSource.
var ErrNotCloudTrail = errors.New("not a CloudTrail record (no eventTime, eventName or eventSource)")

// Names of the nested members kept as JSON text and flattened, and the
// names Elastic gives them.
var nestedNames = map[string]string{
	"requestParameters":   "request_parameters",
	"responseElements":    "response_elements",
	"additionalEventData": "additional_eventdata",
	"serviceEventDetails": "service_event_details",
}

// CloudTrail maps one CloudTrail record, a JSON object, onto e as the
// package doc describes: @timestamp from eventTime and the ECS and
// aws.cloudtrail.* fields. It does not set event.original or event.id.
// Input that is not a JSON object, or not a CloudTrail record, is an error
// and leaves e unchanged.
func CloudTrail(rec []byte, e *event.Event) error {
	ms, err := decodeMembers(rec)
	if err != nil {
		return fmt.Errorf("decode cloudtrail record: %w", err)
	}
	// A repeated name: the last value wins, as with encoding/json.
	m := make(map[string]member, len(ms))
	for _, x := range ms {
		m[x.key] = x
	}
	if m["eventTime"].val == nil && m["eventName"].val == nil && m["eventSource"].val == nil {
		return fmt.Errorf("decode cloudtrail record: %w", ErrNotCloudTrail)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	e.Set("event.kind", event.String("event"))
	e.Set("event.module", event.String("aws"))
	e.Set("event.dataset", event.String("aws.cloudtrail"))
	e.Set("cloud.provider", event.String("aws"))
	var id identity
	var action, errCode, errMsg, recipient, consoleLogin string
	var exported time.Time
	for _, k := range keys {
		x := m[k]
		if x.val == nil {
			continue
		}
		switch k {
		case "eventTime":
			if s, ok := x.val.(string); ok {
				if t, err := event.ParseTime(s); err == nil {
					e.Timestamp = t
					continue
				}
			}
			e.Set("aws.cloudtrail.event_time", event.String(rawText(x)))
		case "@timestamp":
			// Exports by Logstash and the like move eventTime here.
			if s, ok := x.val.(string); ok {
				if t, err := event.ParseTime(s); err == nil {
					exported = t
					continue
				}
			}
			generic(e, "aws.cloudtrail.timestamp", x)
		case "eventName":
			action = setText(e, "event.action", x)
		case "eventSource":
			setText(e, "event.provider", x)
		case "awsRegion":
			setText(e, "cloud.region", x)
		case "sourceIPAddress":
			s := setText(e, "source.address", x)
			if a, err := netip.ParseAddr(s); err == nil {
				e.Set("source.ip", event.IP(a))
			}
		case "userAgent":
			setText(e, "user_agent.original", x)
		case "errorCode":
			errCode = setText(e, "aws.cloudtrail.error_code", x)
		case "errorMessage":
			errMsg = setText(e, "aws.cloudtrail.error_message", x)
		case "eventID":
			setText(e, "aws.cloudtrail.event_id", x)
		case "recipientAccountId":
			recipient = setText(e, "aws.cloudtrail.recipient_account_id", x)
		case "userIdentity":
			id = userIdentity(e, x)
		case "requestParameters", "responseElements", "additionalEventData", "serviceEventDetails":
			nested(e, nestedNames[k], x)
			if k == "responseElements" {
				if obj, ok := x.val.(map[string]any); ok {
					consoleLogin, _ = obj["ConsoleLogin"].(string)
				}
			}
		case "resources":
			resources(e, x)
		case "tlsDetails":
			tlsDetails(e, x)
		default:
			generic(e, "aws.cloudtrail."+snake(k), x)
		}
	}
	if e.Timestamp.IsZero() && !exported.IsZero() {
		e.Timestamp = exported
	}
	if name, session := id.userName(); name != "" {
		e.Set("user.name", event.String(name))
		related := []string{name}
		if session != "" && session != name {
			related = append(related, session)
		}
		e.Set("related.user", event.List(related))
	}
	if id.account == "" {
		id.account = recipient
	}
	if id.account != "" {
		e.Set("cloud.account.id", event.String(id.account))
	}
	outcome := "success"
	if errCode != "" || errMsg != "" {
		outcome = "failure"
	}
	if action == "ConsoleLogin" && consoleLogin != "" {
		outcome = strings.ToLower(consoleLogin)
	}
	e.Set("event.outcome", event.String(outcome))
	return nil
}

// rawText is a string's value, or any other value's compact JSON text.
func rawText(x member) string {
	if s, ok := x.val.(string); ok {
		return s
	}
	var b bytes.Buffer
	if json.Compact(&b, x.raw) != nil {
		return string(x.raw)
	}
	return b.String()
}

// setText sets name to the text of a member (a string as it is, any other
// value as its JSON text) and returns it; an empty string is not set.
func setText(e *event.Event, name string, x member) string {
	s := rawText(x)
	e.SetString(name, s)
	return s
}

// generic writes a member that has no mapping of its own: scalars typed,
// arrays as lists, objects flattened with snake_case names when small and
// as JSON text otherwise.
func generic(e *event.Event, name string, x member) {
	if obj, ok := x.val.(map[string]any); ok && !small(x.raw, obj) {
		e.Set(name, event.String(rawText(x)))
		return
	}
	(&flattener{e: e, snake: true, leaves: -1}).put(name, x.val, 0)
}

// small reports whether an object is flattened into fields.
func small(raw []byte, obj map[string]any) bool {
	return len(raw) <= MaxFlattenBytes && countLeaves(obj, MaxFlattenLeaves) <= MaxFlattenLeaves
}

// nested writes requestParameters and its kind: the JSON text under
// aws.cloudtrail.<name>, and the leaves under
// aws.cloudtrail.flattened.<name>.<key path> with the record's own key
// names when the object is small.
func nested(e *event.Event, name string, x member) {
	e.Set("aws.cloudtrail."+name, event.String(rawText(x)))
	if obj, ok := x.val.(map[string]any); ok && small(x.raw, obj) {
		(&flattener{e: e, leaves: MaxFlattenLeaves}).put("aws.cloudtrail.flattened."+name, obj, 0)
	}
}

// identity is what the record-level mapping needs from userIdentity.
type identity struct {
	typ, arn, user, issuer, account string
}

// userName is user.name by userIdentity.type, as the CloudTrail
// userIdentity reference describes each type, and for an assumed role the
// session name too (for related.user):
//   - IAMUser: userName, else the ARN's last segment (user/PATH/NAME);
//   - Root: userName, which is the account alias when the account has one,
//     else "root";
//   - AssumedRole: the session issuer's userName (the role), else the
//     role of the ARN (assumed-role/ROLE/SESSION);
//   - FederatedUser: the ARN's name (federated-user/NAME); the session
//     issuer is the IAM user that asked for the token, not the actor;
//   - AWSService, AWSAccount and others: userName, else the issuer's.
//
// The aws.cloudtrail pipeline does the same (aws_cloudtrail.yml).
func (id identity) userName() (name, session string) {
	var role, federated, iamUser string
	if i := strings.Index(id.arn, ":assumed-role/"); i >= 0 && strings.HasPrefix(id.arn, "arn:") {
		if r, s, ok := strings.Cut(id.arn[i+len(":assumed-role/"):], "/"); ok && r != "" && s != "" {
			role, session = r, s
		}
	} else if i := strings.Index(id.arn, ":federated-user/"); i >= 0 && strings.HasPrefix(id.arn, "arn:") {
		federated = id.arn[i+len(":federated-user/"):]
	} else if i := strings.Index(id.arn, ":user/"); i >= 0 && strings.HasPrefix(id.arn, "arn:") {
		u := id.arn[i+len(":user/"):]
		iamUser = u[strings.LastIndexByte(u, '/')+1:]
	}
	switch {
	case id.typ == "FederatedUser" && federated != "":
		return federated, session
	case id.user != "":
		return id.user, session
	case id.typ == "Root":
		return "root", session
	case id.typ == "IAMUser" && iamUser != "":
		return iamUser, session
	case id.typ != "FederatedUser" && id.issuer != "":
		return id.issuer, session
	}
	return role, session
}

// userIdentity maps the userIdentity object.
func userIdentity(e *event.Event, x member) identity {
	var id identity
	obj, ok := x.val.(map[string]any)
	if !ok {
		e.Set("aws.cloudtrail.user_identity", event.String(rawText(x)))
		return id
	}
	const p = "aws.cloudtrail.user_identity."
	f := &flattener{e: e, snake: true, leaves: MaxFlattenLeaves}
	for _, k := range sortedKeys(obj) {
		x := obj[k]
		switch k {
		case "userName":
			id.user = text(x)
		case "type":
			id.typ = text(x)
			f.put(p+"type", x, 1)
		case "arn":
			id.arn = text(x)
			f.put(p+"arn", x, 1)
		case "principalId":
			e.SetString("user.id", text(x))
		case "accountId":
			id.account = text(x)
		case "sessionContext":
			sc, ok := x.(map[string]any)
			if !ok {
				f.put(p+"session_context", x, 1)
				continue
			}
			for _, sk := range sortedKeys(sc) {
				sv := sc[sk]
				switch sk {
				case "attributes":
					attrs, ok := sv.(map[string]any)
					if !ok {
						f.put(p+"session_context.attributes", sv, 2)
						continue
					}
					for _, ak := range sortedKeys(attrs) {
						av := attrs[ak]
						if ak == "creationDate" {
							if t, err := event.ParseTime(text(av)); err == nil {
								e.Set(p+"session_context.creation_date", event.Time(t))
								continue
							}
						}
						f.put(p+"session_context."+snake(ak), av, 3)
					}
				case "sessionIssuer":
					if iss, ok := sv.(map[string]any); ok {
						id.issuer, _ = iss["userName"].(string)
					}
					f.put(p+"session_context.session_issuer", sv, 2)
				default:
					f.put(p+"session_context."+snake(sk), sv, 2)
				}
			}
		default:
			f.put(p+snake(k), x, 1)
		}
	}
	return id
}

// resources maps the resources array to lists of ARNs, types and accounts.
func resources(e *event.Event, x member) {
	arr, ok := x.val.([]any)
	if !ok {
		e.Set("aws.cloudtrail.resources", event.String(rawText(x)))
		return
	}
	cols := []struct {
		name string
		keys []string
		vals []string
	}{
		{name: "arn", keys: []string{"ARN", "arn"}},
		{name: "type", keys: []string{"type"}},
		{name: "account_id", keys: []string{"accountId"}},
	}
	for _, x := range arr {
		r, ok := x.(map[string]any)
		if !ok {
			continue
		}
		for i := range cols {
			for _, k := range cols[i].keys {
				if s, ok := r[k].(string); ok && s != "" {
					cols[i].vals = append(cols[i].vals, s)
				}
			}
		}
	}
	for _, c := range cols {
		if len(c.vals) > 0 {
			e.Set("aws.cloudtrail.resources."+c.name, event.List(c.vals))
		}
	}
}

// tlsDetails maps tlsDetails to the ECS tls fields.
func tlsDetails(e *event.Event, x member) {
	obj, ok := x.val.(map[string]any)
	if !ok {
		e.Set("aws.cloudtrail.tls_details", event.String(rawText(x)))
		return
	}
	f := &flattener{e: e, snake: true, leaves: MaxFlattenLeaves}
	for _, k := range sortedKeys(obj) {
		x := obj[k]
		switch k {
		case "tlsVersion":
			s := text(x)
			if proto, ver, ok := strings.Cut(s, "v"); ok && proto != "" && ver != "" {
				e.Set("tls.version_protocol", event.String(strings.ToLower(proto)))
				e.Set("tls.version", event.String(ver))
			} else {
				e.SetString("aws.cloudtrail.tls_details.tls_version", s)
			}
		case "cipherSuite":
			e.SetString("tls.cipher", text(x))
		case "clientProvidedHostHeader":
			e.SetString("tls.client.server_name", text(x))
		default:
			f.put("aws.cloudtrail.tls_details."+snake(k), x, 1)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
