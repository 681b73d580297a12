package json

import (
	"github.com/vigilsiem/vigil/internal/jsontext"
)

// The vendor containers Split takes apart, each recognised by its shape:
//
//   - CloudWatch Logs subscription payload ({"messageType":…,"logGroup":…,
//     "logEvents":[{"id","timestamp","message"}]}, what a subscription
//     filter delivers to Firehose, Kinesis or Lambda, decompressed): each
//     log event's message is a record of its own (a VPC flow log line, a
//     CloudTrail event, any text), its text unescaped. The payload's
//     logGroup, logStream and the log event's timestamp are not kept: the
//     pipelines read the message's own time.
//   - AWS Security Hub EventBridge event (source "aws.securityhub",
//     detail.findings[]): one record per finding, the event with only that
//     finding in detail.findings.
//   - Azure NSG flow log record (category NetworkSecurityGroupFlowEvent,
//     properties.flows[].flows[].flowTuples[]): one record per tuple, the
//     record with only that rule, MAC and tuple.
//   - Azure virtual network flow log record (category FlowLogFlowEvent,
//     flowRecords.flows[].flowGroups[].flowTuples[]): one record per
//     tuple, the record with only that ACL, flow group and tuple.
//   - osquery snapshot result ("action":"snapshot","snapshot":[rows]): one
//     record per row, the result with only that row in snapshot.
//   - osquery batch result (the filesystem logger's "batch" event format:
//     "diffResults":{"added":[rows],"removed":[rows]}): one record per
//     row, in osquery's differential ("event") format, the form osquery
//     writes one changed row in: the result's other members, then
//     "columns" (the row) and "action" ("added" or "removed"). These are
//     new bytes, not a copy of the batch's.
//
// The narrowed records keep the container's shape (a one-element array),
// so the pipelines that read the first element read each. A container
// with one element (or none) is no batch: the record is parsed whole, as
// before, and keeps its event.id.

// container adds the records of obj, one valid JSON object, when it is one
// of the containers above, and reports whether it was.
func (s *splitter) container(obj []byte) bool {
	if !containerKey(obj) {
		return false
	}
	v := span{0, len(obj)}
	var messageType, logEvents, source, detail, category, properties, action, snapshot, flowRecords, diffResults span
	eachMember(obj, v, func(key []byte, val span) {
		switch string(key) {
		case "messageType":
			messageType = val
		case "logEvents":
			logEvents = val
		case "source":
			source = val
		case "detail":
			detail = val
		case "category":
			category = val
		case "properties":
			properties = val
		case "action":
			action = val
		case "snapshot":
			snapshot = val
		case "flowRecords":
			flowRecords = val
		case "diffResults":
			diffResults = val
		}
	})
	switch {
	case messageType.e > 0 && obj[messageType.s] == '"' && logEvents.e > 0 && obj[logEvents.s] == '[':
		return s.cloudWatch(obj, logEvents)
	case isString(obj, source, "aws.securityhub") && detail.e > 0 && obj[detail.s] == '{':
		findings, ok := member(obj, detail, "findings")
		return ok && s.narrowEach(obj, []span{findings})
	case isString(obj, category, "NetworkSecurityGroupFlowEvent") && properties.e > 0 && obj[properties.s] == '{':
		return s.flowTuples(obj, properties, "flows", "flows")
	case isString(obj, category, "FlowLogFlowEvent") && flowRecords.e > 0 && obj[flowRecords.s] == '{':
		return s.flowTuples(obj, flowRecords, "flows", "flowGroups")
	case isString(obj, action, "snapshot") && snapshot.e > 0:
		return s.narrowEach(obj, []span{snapshot})
	case diffResults.e > 0 && obj[diffResults.s] == '{' && action.e == 0:
		return s.osqueryDiff(obj, diffResults)
	}
	return false
}

// cloudWatch adds the message of each log event; false (nothing added)
// unless every element is an object with a string message.
func (s *splitter) cloudWatch(obj []byte, logEvents span) bool {
	var msgs []span
	ok := true
	eachElement(obj, logEvents, func(el span) {
		m, found := span{}, false
		if obj[el.s] == '{' {
			m, found = member(obj, el, "message")
		}
		if !found || obj[m.s] != '"' {
			ok = false
			return
		}
		msgs = append(msgs, m)
	})
	if !ok {
		return false
	}
	for _, m := range msgs {
		text, _, err := jsontext.String(obj, m.s)
		if err != nil { // the record was validated
			return false
		}
		s.add([]byte(text))
	}
	return true
}

// flowTuples adds one record per flow tuple of a flow log record: under
// parent (NSG: properties; virtual network: flowRecords), the array outer
// (flows) of objects (NSG: rules; virtual network: ACLs), each with the
// array inner (NSG: flows, per MAC; virtual network: flowGroups, per
// rule) of objects with flowTuples.
func (s *splitter) flowTuples(obj []byte, parent span, outer, inner string) bool {
	rules, ok := member(obj, parent, outer)
	if !ok || obj[rules.s] != '[' {
		return false
	}
	var paths [][]span // each tuple's path: rule, MAC, tuple
	ok = true          // false when a rule or MAC is not as the schema has it
	eachElement(obj, rules, func(rule span) {
		macs, found := span{}, false
		if obj[rule.s] == '{' {
			macs, found = member(obj, rule, inner)
		}
		if !found || obj[macs.s] != '[' {
			ok = false
			return
		}
		eachElement(obj, macs, func(mac span) {
			tuples, found := span{}, false
			if obj[mac.s] == '{' {
				tuples, found = member(obj, mac, "flowTuples")
			}
			if !found || obj[tuples.s] != '[' {
				ok = false
				return
			}
			eachElement(obj, tuples, func(t span) {
				paths = append(paths, []span{rules, rule, macs, mac, tuples, t})
			})
		})
	})
	if !ok {
		return false
	}
	if len(paths) < 2 {
		return false
	}
	for _, p := range paths {
		s.add(narrow(obj, p))
	}
	return true
}

// narrowEach adds one record per element of the array at path[0] (an
// array), with that element only; false when it has fewer than two
// elements, or something other than objects.
func (s *splitter) narrowEach(obj []byte, path []span) bool {
	arr := path[0]
	if obj[arr.s] != '[' {
		return false
	}
	var els []span
	ok := true
	eachElement(obj, arr, func(el span) {
		ok = ok && obj[el.s] == '{'
		els = append(els, el)
	})
	if !ok || len(els) < 2 {
		return false
	}
	for _, el := range els {
		s.add(narrow(obj, []span{arr, el}))
	}
	return true
}

// narrow copies obj with each array on path holding only the element that
// follows it on path: path alternates an array and one of its elements,
// each array inside the element before it.
func narrow(obj []byte, path []span) []byte {
	out := make([]byte, 0, len(obj))
	out = append(out, obj[:path[0].s]...)
	for k := 0; k < len(path); k += 2 {
		el := path[k+1]
		to := el.e
		if k+2 < len(path) {
			to = path[k+2].s
		}
		out = append(out, '[')
		out = append(out, obj[el.s:to]...)
	}
	for k := len(path) - 2; k >= 0; k -= 2 {
		from, to := path[k].e, len(obj)
		if k > 0 {
			to = path[k-1].e
		}
		out = append(out, ']')
		out = append(out, obj[from:to]...)
	}
	return out
}

// osqueryDiff adds one record per row of an osquery batch's diffResults
// (added, then removed): the batch's other members, then "columns" and
// "action"; false when diffResults has no rows or holds anything but
// arrays of objects under added and removed, or fewer than two rows.
func (s *splitter) osqueryDiff(obj []byte, diff span) bool {
	type row struct {
		v      span
		action string
	}
	var rows []row
	ok := true
	eachMember(obj, diff, func(key []byte, val span) {
		act := string(key)
		if act != "added" && act != "removed" || obj[val.s] != '[' {
			ok = false
			return
		}
		eachElement(obj, val, func(el span) {
			ok = ok && obj[el.s] == '{'
			rows = append(rows, row{el, act})
		})
	})
	if !ok || len(rows) < 2 {
		return false
	}
	// The members kept in each row's record: all but diffResults.
	var keep []span
	i := jsontext.SkipSpace(obj, 1)
	for i < len(obj) && obj[i] == '"' {
		kend, _, err := jsontext.ScanString(obj, i)
		if err != nil {
			return false
		}
		v := jsontext.SkipSpace(obj, jsontext.SkipSpace(obj, kend)+1)
		vend, err := jsontext.Skip(obj, v, 1)
		if err != nil {
			return false
		}
		if v != diff.s {
			keep = append(keep, span{i, vend})
		}
		i = jsontext.SkipSpace(obj, vend)
		if i < len(obj) && obj[i] == ',' {
			i = jsontext.SkipSpace(obj, i+1)
		}
	}
	for _, r := range rows {
		out := make([]byte, 0, len(obj))
		out = append(out, '{')
		for _, m := range keep {
			out = append(out, obj[m.s:m.e]...)
			out = append(out, ',')
		}
		out = append(out, `"columns":`...)
		out = append(out, obj[r.v.s:r.v.e]...)
		out = append(out, `,"action":"`...)
		out = append(out, r.action...)
		out = append(out, `"}`...)
		s.add(out)
	}
	return true
}
