// Package s3 owns the S3 import source (source type "import_s3"): it
// imports the objects of an S3 bucket, or of any S3-compatible store
// (MinIO, Ceph, s3rver…: endpoint and path_style), under a prefix, exactly
// once, with github.com/aws/aws-sdk-go-v2. The import itself is package
// objstore's; this package lists with ListObjectsV2 and reads with
// GetObject.
//
// Listing: every poll lists the keys after the highest key seen
// (StartAfter), which finds new objects of date-named layouts such as
// CloudTrail's and VPC Flow Logs' with one cheap request; every
// full_scan_interval (default 5m) the prefix is listed from its first key,
// which finds objects that arrive with keys sorting before that (another
// account or region in the path, a late delivery) and forgets deleted
// ones. The state file, keyed by key, ETag and size, decides what is new.
//
// Credentials: access_key_id and secret_access_key (and session_token)
// from the configuration, else the SDK's default chain: the AWS_*
// environment variables, the shared config and credentials files
// (AWS_PROFILE), web identity, ECS and EC2 instance roles.
package s3
