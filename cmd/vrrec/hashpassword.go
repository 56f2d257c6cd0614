package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/vrrec/vrrec/admin"
)

// cmdHashPassword reads a password (the first line of stdin) and prints its
// argon2id hash for ADMIN_PASSWORD_HASH.
func cmdHashPassword(stdin io.Reader, stdout, stderr io.Writer) error {
	fmt.Fprintln(stderr, "Password (one line on standard input):")
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return err
	}
	password := strings.TrimRight(line, "\r\n")
	if len(password) < 10 {
		return fmt.Errorf("use a password of at least 10 characters")
	}
	hash, err := admin.Hash(password)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, hash)
	return nil
}
