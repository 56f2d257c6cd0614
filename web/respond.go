package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"mime"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/vrrec/vrrec"
)

// status maps an application error code to its HTTP status: the one place
// that decides it.
func status(code string) int {
	switch code {
	case vrrec.EINVALID:
		return http.StatusBadRequest
	case vrrec.ENOTFOUND:
		return http.StatusNotFound
	case vrrec.ECONFLICT:
		return http.StatusConflict
	case vrrec.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case vrrec.EFORBIDDEN:
		return http.StatusForbidden
	case vrrec.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case vrrec.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case vrrec.ETOOSLOW:
		return http.StatusRequestTimeout
	default:
		return http.StatusInternalServerError
	}
}

// writeJSON writes v with the given status.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// retryAfter is what a 503 tells clients to wait, in seconds.
const retryAfter = "5"

// writeError answers {"error": message} with the status of err's code, or
// a small HTML page when a browser was loading a page; a 503 says when to
// try again.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := status(vrrec.ErrorCode(err))
	if code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	msg := s.publicMessage(r, err)
	if wantsPage(r) {
		writePage(w, code, msg)
		return
	}
	writeJSON(w, code, map[string]string{"error": msg})
}

// wantsPage reports whether a request is a browser loading a page (not an
// API call): its errors are an HTML page, never raw JSON.
func wantsPage(r *http.Request) bool {
	p := r.URL.Path
	return r.Method == http.MethodGet && !strings.HasPrefix(p, "/api/") && p != "/chat" && !strings.HasPrefix(p, "/chat/") &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// errorPage is the page a browser gets for a failed page load: what
// happened, and when to try again (Retry-After, when set).
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · VR App Advisor</title></head>
<body><main><h1>{{.Title}}</h1><p>{{.Message}}</p>{{if .Retry}}<p>Please try again in {{.Retry}}.</p>{{end}}
<p><a href="/">Back to the advisor</a></p></main></body></html>
`))

// writePage writes the error page for status code with message.
func writePage(w http.ResponseWriter, code int, message string) {
	retry := ""
	if v, err := strconv.Atoi(w.Header().Get("Retry-After")); err == nil && v > 0 {
		retry = (time.Duration(v) * time.Second).String()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = errorPage.Execute(w, struct{ Title, Message, Retry string }{http.StatusText(code), message, retry})
}

// publicMessage is what a client may read about err. The caller's own
// mistakes are explained; a failing dependency or a bug is logged with its
// details and shown as a generic sentence, so no internal address or
// library message reaches a student.
func (s *Server) publicMessage(r *http.Request, err error) string {
	switch code := vrrec.ErrorCode(err); code {
	case vrrec.EINVALID, vrrec.ENOTFOUND, vrrec.ECONFLICT, vrrec.EUNAUTHORIZED, vrrec.EFORBIDDEN, vrrec.ETOOLARGE, vrrec.ETOOSLOW:
		return vrrec.ErrorMessage(err)
	case vrrec.EUNAVAILABLE:
		s.cfg.Log.WarnContext(r.Context(), "dependency unavailable", "path", r.URL.Path, "err", err)
		if strings.HasPrefix(r.URL.Path, "/api/admin/") || strings.HasPrefix(r.URL.Path, "/api/auth/") {
			return vrrec.ErrorMessage(err) // staff messages are written to be read (vrrec.Unavailable)
		}
		return "The advisor is unavailable right now. Please try again in a moment."
	default:
		s.cfg.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		return "Internal error"
	}
}

var errTooLarge = &vrrec.Error{Code: vrrec.ETOOLARGE, Message: fmt.Sprintf("Request body too large: the limit is %d KiB", MaxBodyBytes>>10)}

var errTooSlow = &vrrec.Error{Code: vrrec.ETOOSLOW, Message: "Request body arrived too slowly: please send it again"}

// queryInt reads the integer query parameter name: def when it is absent,
// EINVALID naming the range when it is not a number from min to max.
func queryInt(r *http.Request, name string, def, min, max int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		if max == math.MaxInt {
			return 0, vrrec.Errorf(vrrec.EINVALID, "%s must be %d or more", name, min)
		}
		return 0, vrrec.Errorf(vrrec.EINVALID, "%s must be %d-%d", name, min, max)
	}
	return n, nil
}

// decodeJSON reads one JSON object from a request of type application/json
// no larger than MaxBodyBytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return vrrec.Errorf(vrrec.EINVALID, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err := dec.Decode(v); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errTooLarge
		}
		if errors.Is(err, io.EOF) {
			return vrrec.Errorf(vrrec.EINVALID, "Request body is empty: send a JSON object")
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return errTooSlow
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return wrongType(typeErr)
		}
		return vrrec.Errorf(vrrec.EINVALID, "Malformed JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return errTooLarge
		}
		return vrrec.Errorf(vrrec.EINVALID, "Malformed JSON: unexpected data after the object")
	}
	return nil
}

// wrongType says which field of a request has the wrong kind of value, in
// the request's own terms: "message must be a string".
func wrongType(e *json.UnmarshalTypeError) error {
	want := "of another type"
	switch e.Type.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		want = "a whole number"
	case reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.Slice, reflect.Array:
		want = "a list"
	case reflect.Map, reflect.Struct:
		want = "an object"
	}
	if e.Field == "" {
		return vrrec.Errorf(vrrec.EINVALID, "The request body must be %s", want)
	}
	return vrrec.Errorf(vrrec.EINVALID, "%s must be %s", e.Field, want)
}
