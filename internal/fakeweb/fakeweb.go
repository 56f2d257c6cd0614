// Package fakeweb runs local servers speaking the real protocols of the
// paid web services the catalog sources call, for tests: Firecrawl's scrape
// API and Tavily's search API, with their error shapes and statuses, slow or
// garbled answers on demand. They stand in for those services only.
package fakeweb

import (
	"net/http"
	"time"
)

// Reply is the part of an answer both fakes share.
type Reply struct {
	Status int    // 0 means 200
	Error  string // the service's message, for an error status
	Raw    string // when set, sent as the body instead (garbage)
	Header http.Header
	Delay  time.Duration // wait first (cut short when the client leaves)
}

// send waits, sets the headers and writes a raw or error answer; false
// when the caller is to write the successful body.
func (a Reply) send(w http.ResponseWriter, r *http.Request, fail func(http.ResponseWriter, int, string)) bool {
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	for k, v := range a.Header {
		w.Header()[k] = v
	}
	switch {
	case a.Raw != "":
		w.WriteHeader(max(a.Status, http.StatusOK))
		w.Write([]byte(a.Raw))
	case a.Status != 0 && a.Status != http.StatusOK:
		fail(w, a.Status, a.Error)
	default:
		return false
	}
	return true
}
