//go:build !linux

package testenv

import "syscall"

// childProcAttr: only Linux can tie a child's life to its parent's; elsewhere
// the closed standard input alone stops the Neo4j launcher.
func childProcAttr() *syscall.SysProcAttr { return nil }

// lockFile does not lock outside Linux; concurrent first builds of the
// launcher are then left to Maven.
func lockFile(string) (unlock func(), err error) { return func() {}, nil }
