package windows

// securityActions are event.action, event.category and event.type of the
// common events of the Security log (and 7045 of the System log), as
// Elastic's Windows integrations name them. windowsECS sets them on events
// of those channels that have none.
var securityActions = map[int64]struct {
	action         string
	category, kind []string
}{
	1102: {"audit-log-cleared", []string{"iam"}, []string{"admin", "change"}},
	4624: {"logged-in", []string{"authentication"}, []string{"start"}},
	4625: {"logon-failed", []string{"authentication"}, []string{"start"}},
	4634: {"logged-out", []string{"authentication"}, []string{"end"}},
	4647: {"logged-out", []string{"authentication"}, []string{"end"}},
	4648: {"logged-in-explicit", []string{"authentication"}, []string{"start"}},
	4672: {"logged-in-special", []string{"iam"}, []string{"admin"}},
	4688: {"created-process", []string{"process"}, []string{"start"}},
	4689: {"exited-process", []string{"process"}, []string{"end"}},
	4697: {"service-installed", []string{"iam", "configuration"}, []string{"admin", "change"}},
	4698: {"scheduled-task-created", []string{"iam", "configuration"}, []string{"creation", "admin"}},
	4720: {"added-user-account", []string{"iam"}, []string{"user", "creation"}},
	4722: {"enabled-user-account", []string{"iam"}, []string{"user", "change"}},
	4723: {"changed-password", []string{"iam"}, []string{"user", "change"}},
	4724: {"reset-password", []string{"iam"}, []string{"user", "change"}},
	4725: {"disabled-user-account", []string{"iam"}, []string{"user", "change"}},
	4726: {"deleted-user-account", []string{"iam"}, []string{"user", "deletion"}},
	4728: {"added-member-to-group", []string{"iam"}, []string{"group", "change"}},
	4732: {"added-member-to-group", []string{"iam"}, []string{"group", "change"}},
	4738: {"modified-user-account", []string{"iam"}, []string{"user", "change"}},
	4740: {"locked-out-user-account", []string{"iam"}, []string{"user", "change"}},
	4756: {"added-member-to-group", []string{"iam"}, []string{"group", "change"}},
	4768: {"kerberos-authentication-ticket-requested", []string{"authentication"}, []string{"start"}},
	4769: {"kerberos-service-ticket-requested", []string{"authentication"}, []string{"start"}},
	4771: {"kerberos-preauth-failed", []string{"authentication"}, []string{"start"}},
	4776: {"credential-validated", []string{"authentication"}, []string{"start"}},
	5140: {"network-share-object-accessed", []string{"network", "file"}, []string{"access", "info"}},
	5145: {"network-share-object-access-checked", []string{"network", "file"}, []string{"access", "info"}},
	7045: {"service-installed", []string{"configuration"}, []string{"creation"}},
}
