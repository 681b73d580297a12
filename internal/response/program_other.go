//go:build !unix

package response

import "os/exec"

// ownGroup: without process groups a timeout kills the program itself
// (exec.CommandContext's default); its children may outlive it.
func ownGroup(*exec.Cmd) {}

func killGroup(*exec.Cmd) {}
