// Package cef owns the ArcSight Common Event Format (CEF, "Implementing
// ArcSight CEF" rev. 25):
//
//	CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|Extension
//
// optionally behind an RFC 5424 or RFC 3164 syslog header, whose fields
// are set as those packages set them ("<134>Oct 11 22:14:15 host CEF:0|…",
// "<134>Oct 11 22:14:15 host app[1]: CEF:0|…", "<134>1 … - CEF:0|…").
//
// Header: '\|' and '\\' are escapes; the trailing '|' before an empty
// Extension may be missing. Extension: key=value pairs separated by spaces;
// a value runs to the space before the next "key=" (so values may hold
// spaces and unescaped '=' inside words such as URLs); '\=', '\\', '\n'
// and '\r' are escapes, a backslash before anything else is kept. Keys
// are letters, digits, '_', '.' and '-'. Empty values are absent.
//
// Mapping (docs/formats.md has the same table):
//
//	header Version            cef.version (int)
//	header Device Vendor      observer.vendor
//	header Device Product     observer.product
//	header Device Version     observer.version
//	header Device Event Class event.code
//	header Name               message, or cef.name when msg= is present
//	header Severity           event.severity (int 0-10; Low 3, Medium 6, High 8,
//	                          Very-High 10); anything else stays cef.severity
//	msg        message              act      event.action
//	src        source.ip            dst      destination.ip
//	spt        source.port          dpt      destination.port
//	smac       source.mac           dmac     destination.mac
//	shost      source.domain        dhost    destination.domain
//	suser      source.user.name     duser    destination.user.name
//	suid       source.user.id       duid     destination.user.id
//	sntdom     source.user.domain   dntdom   destination.user.domain
//	sproc      source.process.name  dproc    destination.process.name
//	spid       source.process.pid   dpid     destination.process.pid
//	in         source.bytes         out      destination.bytes
//	proto      network.transport (lower case; 6 → tcp, 17 → udp)
//	app        network.protocol (lower case)
//	deviceDirection  network.direction (0 inbound, 1 outbound)
//	rt         @timestamp           start    event.start      end  event.end
//	outcome    event.outcome (success/failure/unknown)
//	reason     event.reason         request  url.original
//	requestMethod            http.request.method
//	requestClientApplication user_agent.original
//	fname      file.name            filePath file.path        fsize file.size
//	dvc        observer.ip          dvchost  observer.hostname dvcmac observer.mac
//	sourceTranslatedAddress      source.nat.ip       sourceTranslatedPort      source.nat.port
//	destinationTranslatedAddress destination.nat.ip  destinationTranslatedPort destination.nat.port
//
// Every other key is kept as cef.extensions.<key> (text; cnN and cnt as
// ints, cfpN as floats). A custom field with a label (cs1 with cs1Label,
// cn2 with cn2Label, any xLabel beside x) is stored as
// cef.extensions.<label value> and the label itself is not stored. A value
// that does not convert (a host name in src, text in spt, an rt in an
// unknown form) is kept as cef.extensions.<key> instead of being dropped.
// rt, start and end accept epoch milliseconds, "MMM dd yyyy HH:mm:ss[.SSS][
// zone]", the same without the year, and RFC 3339; without a zone they are
// in Options.Location.
package cef
