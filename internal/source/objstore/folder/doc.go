// Package folder owns the folder import source (source type
// "import_folder"): it imports the files of a directory that match its
// patterns exactly once, each when it is complete, and optionally deletes
// or moves it afterwards. The import itself (state, batching, layouts) is
// package objstore's; this package lists, opens and finishes files.
//
// A file's key is its path relative to the folder, with '/' separators;
// its ETag is its modification time and size, so a file rewritten in place
// is imported again. A file is complete when it has not been modified for
// settle (default 5s), or, with done_marker set, once the marker file
// exists. Symbolic links to files are followed; sub-folders are read only
// with recursive.
package folder
