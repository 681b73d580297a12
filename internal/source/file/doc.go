// Package file owns the file tail source (source type "file"): it follows
// the files matching a set of globs, line by line, through rotation and
// truncation, and remembers how far it got in a checkpoint, so a restart
// neither re-reads nor skips lines.
//
// Identity: a file is known by its inode (and device) plus a fingerprint,
// the hash of its first bytes (up to 1 KiB), which tells a rotated file
// from a new one that reuses the inode.
//
// Rotation by rename: when the path names a new file, the old one keeps
// being read to its end (a writer may still be finishing a line in it), then
// closed; the new file is read from its beginning. Copy-and-truncate: a file
// that shrinks below the read offset, or whose first bytes change, is read
// again from offset 0. A file renamed to another name the globs still match
// keeps its reader: nothing is read twice.
//
// Lines end at LF (a CR before it is dropped); a JSON value printed over
// several lines is one record (jsonrecord.go). A last line without LF is
// held until it is completed, or handed on as it is once the file has been
// rotated away or deleted and fully read. A line longer than max_line_bytes
// is cut to that length, the rest up to its LF discarded and counted.
//
// Checkpoints: DataDir/state/<source name>/checkpoint.json holds, per file,
// its identity and the offset up to which every line is durable. The offset
// advances only when the pipeline acknowledges the batch holding the lines
// (and every batch before it); the file is written atomically (temporary
// file, fsync, rename, fsync of the directory) at most every
// CheckpointInterval and when Run ends. After a crash the lines read since
// the last save are read again — with the same position and so the same
// event.id, which lets the store drop them. A batch the pipeline fails is
// read again too.
//
// Zeek TSV logs: a file whose first line is "#separator …" is a
// self-describing TSV log; its header lines are not records, and each row
// carries its columns named by the file's #fields header (tsvheader.go).
//
// Record positions are "<inode>:<offset>" ("<inode>.<generation>:<offset>"
// after a truncation), stable across restarts; each batch carries
// log.file.path, the path the file was first opened under.
package file
