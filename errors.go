package vrrec

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP layer maps each to one status in one place;
// other packages return *Error values (or wrap them) so callers can tell bad
// input from a broken dependency without parsing messages.
const (
	EINVALID      = "invalid"      // the caller's input is wrong; retrying the same input fails again
	ENOTFOUND     = "not_found"    // the named entity does not exist
	ECONFLICT     = "conflict"     // the request clashes with current state (a job is already running)
	EUNAUTHORIZED = "unauthorized" // the caller must authenticate
	EFORBIDDEN    = "forbidden"    // the caller is authenticated but their role may not do this
	EUNAVAILABLE  = "unavailable"  // a dependency is down or overloaded; retrying later may succeed
	ETOOLARGE     = "too_large"    // the input is over a size limit
	ETOOSLOW      = "too_slow"     // the input did not arrive in time
	EINTERNAL     = "internal"     // a bug or an unexpected failure
)

// Error is an application error with a code and a message safe to show to the
// person who caused it.
type Error struct {
	Code    string
	Message string
}

// Error is the message alone: it is written for people (the operator at a
// command, staff on a page); the code is for machines (ErrorCode).
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for other errors so internal details never reach a client.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error"
}

// Unavailable marks err as a dependency failure (EUNAVAILABLE) with a
// message safe to show, keeping err in the chain for logs. An err that
// already carries an application code (a bad input, a missing job) keeps
// it. nil stays nil.
func Unavailable(err error, message string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return errors.Join(Errorf(EUNAVAILABLE, "%s", message), err)
}
