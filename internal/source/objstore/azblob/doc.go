// Package azblob owns the Azure Blob Storage import source (source type
// "import_azblob"): it imports the blobs of a container under a prefix
// exactly once, with github.com/Azure/azure-sdk-for-go/sdk/storage/azblob.
// The import itself is package objstore's; this package lists blobs
// (List Blobs, flat) and reads them (Get Blob, with the SDK's retrying
// reader).
//
// Listing: List Blobs has no start-after for the common service versions,
// so every poll lists the container under the prefix; the state file,
// keyed by blob name, ETag and size, decides what is new. Keep the prefix
// narrow (or set ignore_older_than) for containers with very many blobs.
//
// Credentials, one of: connection_string; account_key with account_name
// (and account_url for a non-default endpoint); sas_token with
// account_url or account_name; or, with none of them, the
// AZURE_STORAGE_CONNECTION_STRING environment variable.
//
// Blobs that grow (append blobs, and block blobs that diagnostic settings
// rewrite every hour, "PT1H.json") change their ETag while written: set
// settle to more than the writer's period so a blob is imported once it is
// complete.
package azblob
