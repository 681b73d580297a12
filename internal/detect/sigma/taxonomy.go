package sigma

import "strings"

// Field names: how a field a rule names is found in a Vigil event.
//
// Every rule field resolves to an ordered list of candidate event fields;
// the first present one is used. The field as written is always the last
// candidate, so ECS names (`process.command_line`) and raw vendor names
// (CloudTrail's `eventName`, Zeek's `query`) in a rule work on events that
// carry them.
//
// Windows rules read the fields of the EVTX decoder (and of the Windows
// normaliser, which produces the same layout): System fields by the names
// below, everything else from winlog.event_data.<Name>, then
// winlog.user_data.<Name>. A source can rename fields (Security 4688 for
// process_creation, logsource.go).
//
// Other logsources map Sigma taxonomy names to ECS by category (ecsByCategory)
// and, for cloud and SaaS products, by product (ecsByProduct).

// windowsSystemFields maps the names Sigma gives the <System> values of a
// Windows event to the EVTX decoder's fields.
var windowsSystemFields = map[string][]string{
	"EventID":                {"winlog.event_id", "event.code"},
	"Channel":                {"winlog.channel"},
	"Provider_Name":          {"winlog.provider_name"},
	"Provider_Guid":          {"winlog.provider_guid"},
	"Computer":               {"winlog.computer_name", "host.name"},
	"ComputerName":           {"winlog.computer_name", "host.name"},
	"EventRecordID":          {"winlog.record_id"},
	"Level":                  {"winlog.level"},
	"Task":                   {"winlog.task"},
	"Opcode":                 {"winlog.opcode"},
	"Keywords":               {"winlog.keywords"},
	"Version":                {"winlog.version"},
	"Execution_ProcessID":    {"winlog.process.pid"},
	"Execution_ThreadID":     {"winlog.process.thread.id"},
	"Security_UserID":        {"winlog.user.identifier"},
	"TimeCreated_SystemTime": {"@timestamp"},
}

// windowsFieldNames returns the candidates of a Windows rule field.
func windowsFieldNames(name string, renames map[string]string) []string {
	if sys, ok := windowsSystemFields[name]; ok {
		return sys
	}
	if r, ok := renames[name]; ok {
		name = r
	}
	return []string{"winlog.event_data." + name, "winlog.user_data." + name, name}
}

// ecsProcess is the Sigma process taxonomy in ECS (process_creation and
// the other process-centred categories of Linux and macOS).
var ecsProcess = map[string]string{
	"Image":               "process.executable",
	"CommandLine":         "process.command_line",
	"CurrentDirectory":    "process.working_directory",
	"ProcessId":           "process.pid",
	"ProcessGuid":         "process.entity_id",
	"ParentImage":         "process.parent.executable",
	"ParentCommandLine":   "process.parent.command_line",
	"ParentProcessId":     "process.parent.pid",
	"ParentProcessGuid":   "process.parent.entity_id",
	"User":                "user.name",
	"LogonId":             "process.user.id",
	"OriginalFileName":    "process.pe.original_file_name",
	"Description":         "process.pe.description",
	"Product":             "process.pe.product",
	"Company":             "process.pe.company",
	"FileVersion":         "process.pe.file_version",
	"Hashes":              "process.hash.sha256",
	"TargetFilename":      "file.path",
	"ImageLoaded":         "file.path",
	"DestinationIp":       "destination.ip",
	"DestinationPort":     "destination.port",
	"DestinationHostname": "destination.domain",
	"SourceIp":            "source.ip",
	"SourcePort":          "source.port",
	"SourceHostname":      "source.domain",
	"Protocol":            "network.transport",
	"Initiated":           "network.direction",
	"QueryName":           "dns.question.name",
	"TargetObject":        "registry.path",
	"Details":             "registry.data.strings",
}

// ecsWeb covers the webserver and proxy categories (W3C extended log names).
var ecsWeb = map[string]string{
	"c-ip":            "source.ip",
	"s-ip":            "destination.ip",
	"s-port":          "destination.port",
	"cs-method":       "http.request.method",
	"cs-uri":          "url.original",
	"c-uri":           "url.original",
	"cs-uri-stem":     "url.path",
	"c-uri-stem":      "url.path",
	"cs-uri-query":    "url.query",
	"c-uri-query":     "url.query",
	"c-uri-extension": "url.extension",
	"cs-host":         "url.domain",
	"r-dns":           "destination.domain",
	"cs-referer":      "http.request.referrer",
	"cs-referrer":     "http.request.referrer",
	"cs-user-agent":   "user_agent.original",
	"c-useragent":     "user_agent.original",
	"cs-username":     "user.name",
	"sc-status":       "http.response.status_code",
	"cs-bytes":        "http.request.bytes",
	"sc-bytes":        "http.response.bytes",
	"cs-version":      "http.version",
	"cs-cookie":       "http.cookie",
	"cs-content-type": "http.request.mime_type",
	"src_ip":          "source.ip",
	"dst_ip":          "destination.ip",
}

// ecsNetwork covers the firewall category.
var ecsNetwork = map[string]string{
	"src_ip":   "source.ip",
	"src_port": "source.port",
	"dst_ip":   "destination.ip",
	"dst_port": "destination.port",
	"src":      "source.ip",
	"dst":      "destination.ip",
	"username": "user.name",
	"action":   "event.action",
	"protocol": "network.transport",
}

// ecsDNS covers the dns category.
var ecsDNS = map[string]string{
	"query":         "dns.question.name",
	"QueryName":     "dns.question.name",
	"answer":        "dns.answers.data",
	"record_type":   "dns.question.type",
	"parent_domain": "dns.question.registered_domain",
	"src_ip":        "source.ip",
	"dst_ip":        "destination.ip",
	"response_code": "dns.response_code",
}

// ecsAntivirus covers the antivirus category.
var ecsAntivirus = map[string]string{
	"Filename":  "file.path",
	"Signature": "threat.indicator.name",
	"Action":    "event.action",
	"User":      "user.name",
	"Computer":  "host.name",
}

var ecsByCategory = map[string]map[string]string{
	"process_creation":    ecsProcess,
	"process_termination": ecsProcess,
	"process_access":      ecsProcess,
	"file_event":          ecsProcess,
	"file_create":         ecsProcess,
	"file_delete":         ecsProcess,
	"file_change":         ecsProcess,
	"file_access":         ecsProcess,
	"file_rename":         ecsProcess,
	"image_load":          ecsProcess,
	"network_connection":  ecsProcess,
	"registry_event":      ecsProcess,
	"dns_query":           ecsProcess,
	"webserver":           ecsWeb,
	"proxy":               ecsWeb,
	"firewall":            ecsNetwork,
	"dns":                 ecsDNS,
	"antivirus":           ecsAntivirus,
}

// ecsByProduct maps the raw field names of cloud and SaaS logs to the ECS
// fields their Elastic integrations use; the raw names stay candidates.
var ecsByProduct = map[string]map[string]string{
	"aws": {
		"eventName":       "event.action",
		"eventSource":     "event.provider",
		"sourceIPAddress": "source.address",
		"userAgent":       "user_agent.original",
		"awsRegion":       "cloud.region",
		"errorCode":       "aws.cloudtrail.error_code",
		"errorMessage":    "aws.cloudtrail.error_message",
	},
	"okta": {
		"eventtype":      "event.action",
		"eventType":      "event.action",
		"displaymessage": "okta.display_message",
		"displayMessage": "okta.display_message",
		"outcome.result": "okta.outcome.result",
		"outcome.reason": "okta.outcome.reason",
	},
	"linux": {
		"User": "user.name",
	},
}

// ecsFieldNames returns the candidates of a rule field for a non-Windows
// logsource: the category's ECS name, the category's extra candidates
// (categoryFields), the product's and service's (productFields, ecsByProduct),
// the product's namespace (productNamespace), then the name as written.
func ecsFieldNames(ls Logsource, name string) []string {
	var out []string
	add := func(fs ...string) {
		for _, f := range fs {
			if f != "" && !contains(out, f) {
				out = append(out, f)
			}
		}
	}
	if m, ok := ecsByCategory[ls.Category]; ok {
		add(m[name])
	}
	if m, ok := categoryFields[ls.Category]; ok {
		add(m[name]...)
	}
	if ls.Service != "" {
		if m, ok := productFields[ls.Product+"/"+ls.Service]; ok {
			add(m[name]...)
		}
	}
	if m, ok := productFields[ls.Product]; ok {
		add(m[name]...)
	}
	if m, ok := ecsByProduct[ls.Product]; ok {
		add(m[name])
	}
	add(productNamespace(ls, name), name)
	return out
}

// categoryFields adds candidates to a category's ECS name (ecsByCategory):
// an antivirus signature is rule.name in Elastic's EDR and antivirus
// integrations, threat.software.name in others; web logs count body bytes.
var categoryFields = map[string]map[string][]string{
	"antivirus": {"Signature": {"rule.name", "threat.software.name"}, "Filename": {"file.name"}},
	"webserver": webBodyBytes,
	"proxy":     webBodyBytes,
}

// webBodyBytes: the web normaliser (and Elastic's nginx and Apache
// integrations) count body bytes.
var webBodyBytes = map[string][]string{"sc-bytes": {"http.response.body.bytes"}, "cs-bytes": {"http.request.body.bytes"}}

// IsMapped reports whether a rule field of a non-Windows logsource reads
// a field a normaliser or pipeline fills: it has a mapping to ECS or the
// product's namespace, or is written with such a name already. Keyword
// searches (no field) are mapped: they read every field.
func IsMapped(ls Logsource, name string) bool {
	if name == "" || isECSName(name) {
		return true
	}
	c := ecsFieldNames(ls, name)
	return len(c) > 1 || c[0] != name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fieldKey names an accessor by its candidates.
func fieldKey(cands []string) string { return strings.Join(cands, "\x00") }

// FieldNames returns the event fields a field name of the rule reads, in
// order of preference: the candidates its detection resolves the name to
// for its logsource (for Windows, the union over the sources of the
// logsource, whose renames differ). Correlations and watch-list actions
// read group-by and key fields through it, so a rule's fields mean the same
// everywhere in it.
func (r *Rule) FieldNames(name string) []string {
	if r.Logsource.Product != "windows" {
		return ecsFieldNames(r.Logsource, name)
	}
	srcs, err := windowsSources(r.Logsource)
	if err != nil || len(srcs) == 0 {
		return windowsFieldNames(name, nil)
	}
	var out []string
	for _, src := range srcs {
		for _, f := range windowsFieldNames(name, src.renames) {
			if !contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}
