package vrrec_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vrrec/vrrec"
)

// A store failure becomes "unavailable" with a message safe to show; an
// error that already says what it is keeps its code.
func TestUnavailable(t *testing.T) {
	raw := errors.New("dial tcp 10.0.0.7:27017: connection refused")
	err := vrrec.Unavailable(raw, "The database does not answer")
	if vrrec.ErrorCode(err) != vrrec.EUNAVAILABLE || vrrec.ErrorMessage(err) != "The database does not answer" || !errors.Is(err, raw) {
		t.Errorf("a raw failure: code %q, message %q, chain kept %v", vrrec.ErrorCode(err), vrrec.ErrorMessage(err), errors.Is(err, raw))
	}
	missing := vrrec.Errorf(vrrec.ENOTFOUND, "No job x")
	if got := vrrec.Unavailable(missing, "ignored"); vrrec.ErrorCode(got) != vrrec.ENOTFOUND {
		t.Errorf("a not-found error became %q", vrrec.ErrorCode(got))
	}
	if vrrec.Unavailable(nil, "x") != nil {
		t.Error("nil became an error")
	}
}

// An error reads as its message: no package name, no code.
func TestErrorReadsAsItsMessage(t *testing.T) {
	err := fmt.Errorf("upload: %w", vrrec.Errorf(vrrec.EINVALID, "courses.json is not JSON"))
	if got := err.Error(); got != "upload: courses.json is not JSON" {
		t.Errorf("Error() = %q", got)
	}
	if vrrec.ErrorCode(err) != vrrec.EINVALID {
		t.Errorf("the code is lost: %q", vrrec.ErrorCode(err))
	}
}
