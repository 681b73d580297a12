package sigma

import (
	"strings"
)

// How a rule's logsource decides which events it sees.
//
// Windows (product windows): a rule lives in buckets keyed by event log
// channel and event id. A service names channels (windowsServices, the
// mapping of pySigma's Windows pipelines); a category names channels and
// event ids (windowsCategories: the Sysmon event ids of pySigma's sysmon
// pipeline, Security 4688 for process_creation as its windows_audit
// pipeline maps it, the PowerShell channels for ps_*). A rule with neither
// sees every Windows event. Event ids the detection itself requires
// (`EventID: 4624`) narrow the buckets further.
//
// Other products: an event's logsource is read from its ECS
// categorisation (classify): products from host.os.type, event.module,
// observer.product, cloud.provider and recognisable raw formats (Zeek's
// _path, CloudTrail's eventSource); services from event.dataset, _path,
// event.module and the syslog program (process.name); categories from
// event.category/event.type and the presence of dns.*/http.* fields. A rule
// sees an event when none of its logsource's product, category and service
// contradicts what the event says and at least one of them is confirmed.

// windowsSource is one way a Windows logsource is delivered: channels, the
// event ids on them (none: any), and field renames for that source.
type windowsSource struct {
	channels []string
	eventIDs []int64
	renames  map[string]string
}

const (
	chSysmon   = "Microsoft-Windows-Sysmon/Operational"
	chSecurity = "Security"
	chPSClass  = "Windows PowerShell"
)

var chPowerShell = []string{"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"}

// windowsServices maps a Windows service to its event log channels.
var windowsServices = map[string][]string{
	"security":              {chSecurity},
	"application":           {"Application"},
	"system":                {"System"},
	"sysmon":                {chSysmon},
	"powershell":            chPowerShell,
	"powershell-classic":    {chPSClass},
	"taskscheduler":         {"Microsoft-Windows-TaskScheduler/Operational"},
	"wmi":                   {"Microsoft-Windows-WMI-Activity/Operational"},
	"dns-server":            {"DNS Server"},
	"dns-server-audit":      {"Microsoft-Windows-DNS-Server/Audit"},
	"dns-server-analytic":   {"Microsoft-Windows-DNS-Server/Analytical"},
	"driver-framework":      {"Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
	"ntlm":                  {"Microsoft-Windows-NTLM/Operational"},
	"dhcp":                  {"Microsoft-Windows-DHCP-Server/Operational"},
	"msexchange-management": {"MSExchange Management"},
	"applocker": {
		"Microsoft-Windows-AppLocker/MSI and Script",
		"Microsoft-Windows-AppLocker/EXE and DLL",
		"Microsoft-Windows-AppLocker/Packaged app-Deployment",
		"Microsoft-Windows-AppLocker/Packaged app-Execution",
	},
	"printservice-admin":                   {"Microsoft-Windows-PrintService/Admin"},
	"printservice-operational":             {"Microsoft-Windows-PrintService/Operational"},
	"codeintegrity-operational":            {"Microsoft-Windows-CodeIntegrity/Operational"},
	"smbclient-security":                   {"Microsoft-Windows-SmbClient/Security"},
	"smbclient-connectivity":               {"Microsoft-Windows-SmbClient/Connectivity"},
	"smbserver-connectivity":               {"Microsoft-Windows-SMBServer/Connectivity"},
	"firewall-as":                          {"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
	"bits-client":                          {"Microsoft-Windows-Bits-Client/Operational"},
	"windefend":                            {"Microsoft-Windows-Windows Defender/Operational"},
	"terminalservices-localsessionmanager": {"Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
	"microsoft-servicebus-client":          {"Microsoft-ServiceBus-Client"},
	"ldap_debug":                           {"Microsoft-Windows-LDAP-Client/Debug"},
	"ldap":                                 {"Microsoft-Windows-LDAP-Client/Debug"},
	"security-mitigations": {
		"Microsoft-Windows-Security-Mitigations/Kernel Mode",
		"Microsoft-Windows-Security-Mitigations/User Mode",
	},
	"diagnosis-scripted":    {"Microsoft-Windows-Diagnosis-Scripted/Operational"},
	"shell-core":            {"Microsoft-Windows-Shell-Core/Operational"},
	"openssh":               {"OpenSSH/Operational"},
	"bitlocker":             {"Microsoft-Windows-BitLocker/BitLocker Management"},
	"vhdmp":                 {"Microsoft-Windows-VHDMP/Operational"},
	"appxdeployment-server": {"Microsoft-Windows-AppXDeploymentServer/Operational"},
	"lsa-server":            {"Microsoft-Windows-LSA/Operational"},
	"appxpackaging-om":      {"Microsoft-Windows-AppxPackaging/Operational"},
	"dns-client":            {"Microsoft-Windows-DNS Client Events/Operational"},
	"appmodel-runtime":      {"Microsoft-Windows-AppModel-Runtime/Admin"},
	"capi2":                 {"Microsoft-Windows-CAPI2/Operational"},
	"certificateservicesclient-lifecycle-system": {"Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"},
	"iis-configuration":                          {"Microsoft-Windows-IIS-Configuration/Operational"},
	"sense":                                      {"Microsoft-Windows-SENSE/Operational"},
	"kernel-shimengine":                          {"Microsoft-Windows-Kernel-ShimEngine/Operational"},
	"hyper-v-worker":                             {"Microsoft-Windows-Hyper-V-Worker"},
}

// securityProcessCreation renames Sysmon process fields to Security 4688's
// (pySigma windows_audit_pipeline, plus the process ids).
var securityProcessCreation = map[string]string{
	"Image":           "NewProcessName",
	"ParentImage":     "ParentProcessName",
	"LogonId":         "SubjectLogonId",
	"ProcessId":       "NewProcessId",
	"ParentProcessId": "ProcessId",
}

func sysmon(ids ...int64) []windowsSource {
	return []windowsSource{{channels: []string{chSysmon}, eventIDs: ids}}
}

// windowsCategories maps a Windows category to its sources.
var windowsCategories = map[string][]windowsSource{
	"process_creation": {
		{channels: []string{chSysmon}, eventIDs: []int64{1}},
		{channels: []string{chSecurity}, eventIDs: []int64{4688}, renames: securityProcessCreation},
	},
	"file_change":               sysmon(2),
	"network_connection":        sysmon(3),
	"sysmon_status":             sysmon(4, 16),
	"process_termination":       sysmon(5),
	"driver_load":               sysmon(6),
	"image_load":                sysmon(7),
	"create_remote_thread":      sysmon(8),
	"raw_access_thread":         sysmon(9),
	"raw_access_read":           sysmon(9),
	"process_access":            sysmon(10),
	"file_event":                sysmon(11),
	"file_create":               sysmon(11),
	"registry_add":              sysmon(12),
	"registry_delete":           sysmon(12),
	"registry_set":              sysmon(13),
	"registry_rename":           sysmon(14),
	"registry_event":            sysmon(12, 13, 14),
	"create_stream_hash":        sysmon(15),
	"pipe_created":              sysmon(17, 18),
	"wmi_event":                 sysmon(19, 20, 21),
	"dns_query":                 sysmon(22),
	"file_delete":               sysmon(23, 26),
	"clipboard_capture":         sysmon(24),
	"process_tampering":         sysmon(25),
	"file_block_executable":     sysmon(27),
	"file_block_shredding":      sysmon(28),
	"file_executable_detected":  sysmon(29),
	"sysmon_error":              sysmon(255),
	"ps_module":                 {{channels: chPowerShell, eventIDs: []int64{4103}}},
	"ps_script":                 {{channels: chPowerShell, eventIDs: []int64{4104}}},
	"ps_classic_start":          {{channels: []string{chPSClass}, eventIDs: []int64{400}}},
	"ps_classic_provider_start": {{channels: []string{chPSClass}, eventIDs: []int64{600}}},
	"ps_classic_script":         {{channels: []string{chPSClass}, eventIDs: []int64{800}}},
}

// windowsSources returns the sources of a Windows logsource; nil with no
// error means every Windows event.
func windowsSources(ls Logsource) ([]windowsSource, error) {
	var svc []string
	if ls.Service != "" {
		var ok bool
		if svc, ok = windowsServices[ls.Service]; !ok {
			return nil, unsupported(ReasonLogsource, "windows service %q has no known event log channel", ls.Service)
		}
	}
	if ls.Category == "" {
		if svc == nil {
			return nil, nil
		}
		return []windowsSource{{channels: svc}}, nil
	}
	cat, ok := windowsCategories[ls.Category]
	if !ok {
		return nil, unsupported(ReasonLogsource, "windows category %q has no Windows event log source (it needs an EDR or ETW sensor)", ls.Category)
	}
	if svc == nil {
		return cat, nil
	}
	var out []windowsSource
	for _, src := range cat {
		var chans []string
		for _, c := range src.channels {
			for _, s := range svc {
				if strings.EqualFold(c, s) {
					chans = append(chans, c)
				}
			}
		}
		if len(chans) > 0 {
			src.channels = chans
			out = append(out, src)
		}
	}
	if len(out) == 0 {
		return nil, unsupported(ReasonLogsource, "windows category %q is not delivered by service %q", ls.Category, ls.Service)
	}
	return out, nil
}

// Event classification for non-Windows logsources.

// productAliases maps what events say (event.module, observer.product, …)
// to Sigma product names.
var productAliases = map[string]string{
	"darwin":           "macos",
	"mac":              "macos",
	"osx":              "macos",
	"auditd":           "linux",
	"o365":             "m365",
	"microsoft365":     "m365",
	"panw":             "paloalto",
	"pan-os":           "paloalto",
	"fortinet":         "fortigate",
	"google_workspace": "gcp",
	"cloudtrail":       "aws",
}

// deviceSubsystems are services of network devices that name a protocol or
// a subsystem (Cisco's AAA command accounting, BGP, LDP), not a log: no
// event says it comes from them, and the device's syslog program
// (process.name) is not one of them. Their rules select by keywords, so
// such a logsource is routed by its product alone (routeLogsource).
var deviceSubsystems = map[[2]string]bool{
	{"cisco", "aaa"}: true, {"cisco", "bgp"}: true, {"cisco", "ldp"}: true,
	{"juniper", "bgp"}: true, {"huawei", "bgp"}: true,
}

// routeLogsource returns the logsource a non-Windows rule is routed by: its
// own, without a device subsystem service, and without the category
// application when a product names the application (SigmaHQ files the
// Kubernetes and OpenCanary rules under it; their events are API calls or
// HTTP requests, which would contradict it).
func routeLogsource(ls Logsource) Logsource {
	if deviceSubsystems[[2]string{ls.Product, ls.Service}] {
		ls.Service = ""
	}
	if ls.Category == "application" && ls.Product != "" {
		ls.Category = ""
	}
	return ls
}

// categoryEvidence says which Sigma categories an event's ECS categorisation
// confirms: event.category value → event.type value ("" for any) →
// categories.
var categoryEvidence = []struct {
	category, typ string
	sigma         []string
}{
	{"process", "start", []string{"process_creation"}},
	{"process", "end", []string{"process_termination"}},
	{"process", "access", []string{"process_access"}},
	{"network", "", []string{"network_connection", "firewall"}},
	{"file", "", []string{"file_event"}},
	{"file", "creation", []string{"file_create", "file_event"}},
	{"file", "deletion", []string{"file_delete"}},
	{"file", "change", []string{"file_change", "file_event"}},
	{"file", "access", []string{"file_access"}},
	{"web", "", []string{"webserver", "proxy"}},
	{"malware", "", []string{"antivirus"}},
	{"intrusion_detection", "", []string{"antivirus"}},
	{"database", "", []string{"database"}},
	{"authentication", "", []string{"authentication"}},
	{"driver", "", []string{"driver_load"}},
	{"library", "", []string{"image_load"}},
	{"registry", "", []string{"registry_event"}},
}
