package windows

// The "Label: Value" sections of the messages Windows renders for the
// common security events (the texts on learn.microsoft.com's event pages),
// and the event-data names the EVTX layout gives the same values. A label
// means different data under different section headers (the first
// "Account Name" of a 4624 is the subject's, the second the new logon's),
// so a label is looked up under the class of the last header first, then
// under no class.

// Header classes.
const (
	secNone    uint8 = iota // a header that does not qualify its labels
	secSubject              // Subject, Creator Subject
	secTarget               // New Logon, Account For Which Logon Failed, Target Account …
	secMember               // Member (group membership changes)
	secGroup                // Group
)

// textHeaders are the section headers, by the class they start. A header
// is a label with no value of its own.
var textHeaders = map[string]uint8{
	"Subject": secSubject, "Creator Subject": secSubject,
	"New Logon": secTarget, "Account For Which Logon Failed": secTarget, "Target Subject": secTarget,
	"Target Account": secTarget, "New Account": secTarget, "Account That Was Locked Out": secTarget,
	"Account Information": secTarget, "Account Whose Credentials Were Used": secTarget,
	"Member": secMember, "Group": secGroup,
	"Logon Information": secNone, "Failure Information": secNone, "Process Information": secNone,
	"Network Information": secNone, "Detailed Authentication Information": secNone,
	"Service Information": secNone, "Share Information": secNone, "Task Information": secNone,
	"Access Request Information": secNone, "Additional Information": secNone, "Target Server": secNone,
	"Changed Attributes": secNone, "Attributes": secNone, "Certificate Information": secNone,
	"Application Information": secNone, "Filter Information": secNone, "Layer Information": secNone,
}

// labelKey is a label under a header class.
type labelKey struct {
	class uint8
	label string
}

// textLabels maps labels to event-data names.
var textLabels = map[labelKey]string{
	{secSubject, "Security ID"}: "SubjectUserSid", {secSubject, "Account Name"}: "SubjectUserName",
	{secSubject, "Account Domain"}: "SubjectDomainName", {secSubject, "Domain Name"}: "SubjectDomainName",
	{secSubject, "Logon ID"}: "SubjectLogonId",

	{secTarget, "Security ID"}: "TargetUserSid", {secTarget, "Account Name"}: "TargetUserName",
	{secTarget, "Account Domain"}: "TargetDomainName", {secTarget, "Logon ID"}: "TargetLogonId",
	{secTarget, "Linked Logon ID"}: "TargetLinkedLogonId", {secTarget, "Network Account Name"}: "TargetOutboundUserName",
	{secTarget, "Network Account Domain"}: "TargetOutboundDomainName", {secTarget, "Logon GUID"}: "LogonGuid",
	{secTarget, "User ID"}: "TargetSid", {secTarget, "Supplied Realm Name"}: "TargetDomainName",

	{secMember, "Security ID"}: "MemberSid", {secMember, "Account Name"}: "MemberName",
	{secGroup, "Security ID"}: "TargetSid", {secGroup, "Group Name"}: "TargetUserName",
	{secGroup, "Group Domain"}: "TargetDomainName",

	{secNone, "Logon Type"}: "LogonType", {secNone, "Restricted Admin Mode"}: "RestrictedAdminMode",
	{secNone, "Virtual Account"}: "VirtualAccount", {secNone, "Elevated Token"}: "ElevatedToken",
	{secNone, "Impersonation Level"}: "ImpersonationLevel",
	{secNone, "Failure Reason"}:      "FailureReason", {secNone, "Status"}: "Status", {secNone, "Sub Status"}: "SubStatus",
	{secNone, "Process ID"}: "ProcessId", {secNone, "Process Name"}: "ProcessName",
	{secNone, "Caller Process ID"}: "ProcessId", {secNone, "Caller Process Name"}: "ProcessName",
	{secNone, "New Process ID"}: "NewProcessId", {secNone, "New Process Name"}: "NewProcessName",
	{secNone, "Token Elevation Type"}: "TokenElevationType", {secNone, "Mandatory Label"}: "MandatoryLabel",
	{secNone, "Creator Process ID"}: "ProcessId", {secNone, "Creator Process Name"}: "ParentProcessName",
	{secNone, "Process Command Line"}: "CommandLine",
	{secNone, "Workstation Name"}:     "WorkstationName", {secNone, "Source Network Address"}: "IpAddress",
	{secNone, "Source Port"}: "IpPort", {secNone, "Network Address"}: "IpAddress", {secNone, "Port"}: "IpPort",
	{secNone, "Client Address"}: "IpAddress", {secNone, "Client Port"}: "IpPort",
	{secNone, "Source Address"}: "IpAddress", {secNone, "Object Type"}: "ObjectType",
	{secNone, "Logon Process"}: "LogonProcessName", {secNone, "Authentication Package"}: "AuthenticationPackageName",
	{secNone, "Transited Services"}: "TransitedServices", {secNone, "Package Name (NTLM only)"}: "LmPackageName",
	{secNone, "Key Length"}:   "KeyLength",
	{secNone, "Service Name"}: "ServiceName", {secNone, "Service ID"}: "ServiceSid",
	{secNone, "Service File Name"}: "ServiceFileName", {secNone, "Service Type"}: "ServiceType",
	{secNone, "Service Start Type"}: "ServiceStartType", {secNone, "Service Account"}: "ServiceAccount",
	{secNone, "Ticket Options"}: "TicketOptions", {secNone, "Result Code"}: "Status", {secNone, "Failure Code"}: "Status",
	{secNone, "Ticket Encryption Type"}: "TicketEncryptionType", {secNone, "Pre-Authentication Type"}: "PreAuthType",
	{secNone, "Logon Account"}: "TargetUserName", {secNone, "Source Workstation"}: "Workstation",
	{secNone, "Error Code"}:         "Status",
	{secNone, "Target Server Name"}: "TargetServerName", {secNone, "Additional Information"}: "TargetInfo",
	{secNone, "Privileges"}: "PrivilegeList",
	{secNone, "Task Name"}:  "TaskName", {secNone, "Task Content"}: "TaskContent",
	{secNone, "Share Name"}: "ShareName", {secNone, "Share Path"}: "ShareLocalPath",
	{secNone, "Relative Target Name"}: "RelativeTargetName", {secNone, "Access Mask"}: "AccessMask",
	{secNone, "Accesses"}: "AccessList", {secNone, "Caller Computer Name"}: "TargetDomainName",
	{secNone, "SAM Account Name"}: "SamAccountName", {secNone, "Display Name"}: "DisplayName",
	{secNone, "User Principal Name"}: "UserPrincipalName",
}

// eventLabels are the events whose labels name other data than
// textLabels says: 7045 (Service Control Manager) names its service data
// as the System log does, 1102 keeps its subject in user data.
// Account management events and 4771 name the target account's SID
// TargetSid, where logon events name it TargetUserSid.
var eventLabels = func() map[int64]map[labelKey]string {
	m := map[int64]map[labelKey]string{
		7045: {
			{secNone, "Service File Name"}: "ImagePath", {secNone, "Service Start Type"}: "StartType",
			{secNone, "Service Account"}: "AccountName",
		},
	}
	targetSid := map[labelKey]string{{secTarget, "Security ID"}: "TargetSid"}
	for _, id := range []int64{4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4767, 4771, 4781} {
		m[id] = targetSid
	}
	return m
}()

// textLabelMax is the longest label in bytes; the scan looks no further
// back from a colon.
var textLabelMax = func() int {
	n := 0
	for k := range textLabels {
		n = max(n, len(k.label))
	}
	for k := range textHeaders {
		n = max(n, len(k))
	}
	return n
}()

// textEventIDs are the first sentences of the messages, for senders that
// forward the text without the event id (NXLog's to_syslog_bsd writes the
// provider as the tag and the message alone).
var textEventIDs = map[string]int64{
	"An account was successfully logged on.":                                                  4624,
	"An account failed to log on.":                                                            4625,
	"An account was logged off.":                                                              4634,
	"User initiated logoff:":                                                                  4647,
	"A logon was attempted using explicit credentials.":                                       4648,
	"Special privileges assigned to new logon.":                                               4672,
	"A new process has been created.":                                                         4688,
	"A process has exited.":                                                                   4689,
	"A service was installed in the system.":                                                  4697,
	"A scheduled task was created.":                                                           4698,
	"A user account was created.":                                                             4720,
	"A user account was enabled.":                                                             4722,
	"An attempt was made to change an account's password.":                                    4723,
	"An attempt was made to reset an account's password.":                                     4724,
	"A user account was disabled.":                                                            4725,
	"A user account was deleted.":                                                             4726,
	"A member was added to a security-enabled global group.":                                  4728,
	"A member was added to a security-enabled local group.":                                   4732,
	"A user account was changed.":                                                             4738,
	"A user account was locked out.":                                                          4740,
	"A member was added to a security-enabled universal group.":                               4756,
	"A Kerberos authentication ticket (TGT) was requested.":                                   4768,
	"A Kerberos service ticket was requested.":                                                4769,
	"Kerberos pre-authentication failed.":                                                     4771,
	"The computer attempted to validate the credentials for an account.":                      4776,
	"A network share object was accessed.":                                                    5140,
	"A network share object was checked to see whether client can be granted desired access.": 5145,
	"The audit log was cleared.":                                                              1102,
}
